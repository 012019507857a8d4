"""The typed model of a pose spec, validated with pydantic.

A spec file is plain data: names, numbers and sentences. Nothing in it is ever
evaluated; cue sentences may only use the placeholders in :data:`CUE_FIELDS`.
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from posecheck.checks import get_kind
from posecheck.specs.points import PointRef, parse_point

#: Placeholders a cue sentence may use.
CUE_FIELDS = ("side", "other_side", "value", "target")

#: Seconds one slow breath is taken to last when a hold is given in breaths.
SECONDS_PER_BREATH = 5.0

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_cue(text: str) -> str:
    if not text.strip():
        raise ValueError("a cue must not be empty")
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in CUE_FIELDS:
            raise ValueError(
                f"unknown placeholder '{{{name}}}' in cue (allowed: "
                + ", ".join(f"{{{f}}}" for f in CUE_FIELDS) + ")"
            )
    return text


def _check_point(name: str) -> str:
    parse_point(name, roles=True)  # roles are checked against the spec's sides later
    return name


PointName = Annotated[str, AfterValidator(_check_point)]


class Target(_Strict):
    """Where a check's value should be, and how far off counts as near or off.

    Either ``value`` (with ``ok``/``near`` as symmetric tolerances around it), or a
    range ``min``/``max`` (either may be open) with ``ok`` as slack beyond the range
    and ``near`` as the further margin before it is off.
    """

    value: float | None = Field(None, description="The ideal value (degrees or ratio).")
    min: float | None = Field(None, description="Lowest value that is still right.")
    max: float | None = Field(None, description="Highest value that is still right.")
    ok: float = Field(0.0, ge=0, description="Tolerance: within this of the target is ok.")
    near: float = Field(..., ge=0, description="Within this of the target is near (not yet off).")

    @model_validator(mode="after")
    def _shape(self) -> Target:
        if self.value is None and self.min is None and self.max is None:
            raise ValueError("give either 'value' or a range with 'min' and/or 'max'")
        if self.value is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either 'value' or 'min'/'max', not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'min' ({self.min}) is greater than 'max' ({self.max})")
        if self.near < self.ok:
            raise ValueError(f"'near' ({self.near}) must be at least 'ok' ({self.ok})")
        return self

    def deviation(self, value: float) -> float:
        """Signed distance of ``value`` outside the ideal (0 inside a range)."""
        if self.value is not None:
            return value - self.value
        if self.min is not None and value < self.min:
            return value - self.min
        if self.max is not None and value > self.max:
            return value - self.max
        return 0.0

    def describe(self) -> str:
        """The target in a few characters, e.g. ``90`` or ``≥2.0``."""
        def fmt(x: float) -> str:
            return f"{x:g}"
        if self.value is not None:
            return fmt(self.value)
        if self.min is not None and self.max is not None:
            return f"{fmt(self.min)}–{fmt(self.max)}"
        return f"≥{fmt(self.min)}" if self.min is not None else f"≤{fmt(self.max)}"


class Cues(_Strict):
    """What to say when the value is below or above the target."""

    below: str | None = Field(None, description="Said when the value is below the target.")
    above: str | None = Field(None, description="Said when the value is above the target.")

    _v_below = field_validator("below", "above")(lambda cls, v: v if v is None else _check_cue(v))


class PoseRange(_Strict):
    """The values within which a person counts as being in the pose at all, good form or not."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _some(self) -> PoseRange:
        if self.min is None and self.max is None:
            raise ValueError("give 'min' and/or 'max'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"'min' ({self.min}) is greater than 'max' ({self.max})")
        return self

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range."""
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class _Measurement(_Strict):
    """What any measurement names: its id, a check kind, the points it is taken from."""

    id: str = Field(..., pattern=ID_PATTERN, description="Stable id, used in exports.")
    kind: str = Field(..., description="A registered check kind.")
    label: str | None = Field(None, description="Short name shown to the user.")
    points: list[PointName] = Field(..., description="Landmarks, roles (front_knee) or midpoints (mid_hip).")
    relative_to: list[PointName] | None = Field(None, description="The segment a ratio is taken against.")
    options: dict[str, str] = Field(default_factory=dict, description="Kind-specific options.")
    min_visibility: float | None = Field(None, ge=0, le=1, description="Overrides the spec's.")

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        get_kind(v)
        return v

    def _kind_problems(self) -> list[str]:
        """What does not fit the check kind: the number of points and relative_to points, the options."""
        kind = get_kind(self.kind)
        problems = []
        if len(self.points) != kind.points:
            problems.append(f"'points' must list {kind.points} points for kind {kind.name}, got {len(self.points)}")
        n_rel = len(self.relative_to or [])
        if kind.relative_to and n_rel != kind.relative_to:
            problems.append(f"'relative_to' must list {kind.relative_to} points for kind {kind.name}")
        if not kind.relative_to and self.relative_to is not None:
            problems.append(f"'relative_to' is not used by kind {kind.name}")
        for key, val in self.options.items():
            allowed = kind.options.get(key)
            if allowed is None:
                problems.append(f"unknown option '{key}' for kind {kind.name} "
                                f"(allowed: {', '.join(kind.options) or 'none'})")
            elif isinstance(allowed, tuple) and val not in allowed:
                problems.append(f"option '{key}' must be one of {', '.join(allowed)}, got '{val}'")
        return problems


class CheckSpec(_Measurement):
    """One measurable alignment point of a pose."""

    target: Target
    weight: float = Field(1.0, gt=0, description="Importance in the score and in choosing a cue.")
    cues: Cues
    in_pose: PoseRange | None = Field(
        None, description="Values within which the person counts as in the pose at all (e.g. a knee "
                          "bent 55–145° is a lunge, good or not); outside, they are moving or resting.")

    @model_validator(mode="after")
    def _fits_kind(self) -> CheckSpec:
        problems = self._kind_problems()
        t = self.target
        needs_below = t.value is not None or t.min is not None
        needs_above = t.value is not None or t.max is not None
        if needs_below and not self.cues.below:
            problems.append("missing cue 'below' (what to say when the value is under the target)")
        if needs_above and not self.cues.above:
            problems.append("missing cue 'above' (what to say when the value is over the target)")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class PostureCheck(_Measurement):
    """A measurement that tells a pose from others that look like it: recognition only.

    Child's pose and knees to chest bend the hips and knees alike; what tells them
    apart is where the body is (kneeling face down with the knees below the hips, or
    lying on the back with the knees above them). A posture check measures that with
    any check kind and says, in ``in_pose``, the values the pose needs. It is never
    judged, scored or cued: it only decides whether a frame can be this pose at all.
    """

    in_pose: PoseRange = Field(..., description="The values the pose needs (outside them, another pose).")

    @model_validator(mode="after")
    def _fits_kind(self) -> PostureCheck:
        problems = self._kind_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Hold(_Strict):
    """How long to hold: seconds or breaths, each a number or a [min, max] range."""

    seconds: float | list[float] | None = None
    breaths: int | list[int] | None = None

    @model_validator(mode="after")
    def _one(self) -> Hold:
        if (self.seconds is None) == (self.breaths is None):
            raise ValueError("give exactly one of 'seconds' or 'breaths'")
        for name in ("seconds", "breaths"):
            v = getattr(self, name)
            if isinstance(v, list):
                if len(v) != 2 or v[0] > v[1] or v[0] <= 0:
                    raise ValueError(f"'{name}' as a range must be [min, max] with 0 < min <= max")
            elif v is not None and v <= 0:
                raise ValueError(f"'{name}' must be positive")
        return self

    @property
    def target_s(self) -> float:
        """The shortest hold that counts as done, in seconds."""
        if self.seconds is not None:
            return float(self.seconds[0] if isinstance(self.seconds, list) else self.seconds)
        b = self.breaths[0] if isinstance(self.breaths, list) else self.breaths
        return float(b) * SECONDS_PER_BREATH

    def describe(self) -> str:
        """``30–60 s`` or ``5–10 breaths``."""
        unit, v = ("s", self.seconds) if self.seconds is not None else ("breaths", self.breaths)
        text = f"{v[0]:g}–{v[1]:g}" if isinstance(v, list) else f"{v:g}"
        return f"{text} {unit}"


class Repetitions(_Strict):
    """How many times to do the pose (per side when the pose has sides)."""

    min: int = Field(1, ge=1)
    max: int | None = Field(None, ge=1)
    per_side: bool = True


class PoseSpec(_Strict):
    """A pose and the alignment it needs."""

    id: str = Field(..., pattern=ID_PATTERN)
    title: str
    aliases: list[str] = Field(default_factory=list)
    source: list[str] = Field(..., min_length=1, description="Source texts, e.g. '000 §2'.")
    description: str | None = None
    view: Literal["side", "front", "back-high", "any"] = Field(
        ..., description="The camera view the checks need.")
    sides: Literal["front_back", "none"] = Field(
        "none", description="front_back: roles front_*/back_* name the leg in front in each frame.")
    hold: Hold | None = None
    repetitions: Repetitions | None = None
    min_visibility: float = Field(0.5, ge=0, le=1)
    praise: str = Field("Good — hold it.", description="Said while every check is fine.")
    unmeasurable: list[str] = Field(default_factory=list,
                                    description="Alignment points of the source that landmarks cannot measure.")
    checks: list[CheckSpec] = Field(..., min_length=1)
    posture: list[PostureCheck] = Field(
        default_factory=list,
        description="Recognition only: measurements that tell this pose from others that look like it "
                    "(lying on the back, kneeling face down); never judged or cued.")

    @model_validator(mode="after")
    def _points_and_ids(self) -> PoseSpec:
        problems = []
        seen: set[str] = set()
        entries = [("checks", i, c) for i, c in enumerate(self.checks)]
        entries += [("posture", i, c) for i, c in enumerate(self.posture)]
        for where, i, check in entries:
            if check.id in seen:
                problems.append(f"{where}[{i}].id: duplicate check id '{check.id}'")
            seen.add(check.id)
            for field_name in ("points", "relative_to"):
                for j, name in enumerate(getattr(check, field_name) or []):
                    try:
                        parse_point(name, roles=self.sides == "front_back")
                    except ValueError as exc:
                        problems.append(f"{where}[{i}].{field_name}[{j}]: {exc}")
            if get_kind(check.kind).needs_facing and self.view not in ("side", "any"):
                problems.append(
                    f"{where}[{i}].kind: '{check.kind}' depends on which way the person faces and "
                    f"needs view 'side', not '{self.view}'"
                )
        if problems:
            raise ValueError(" | ".join(problems))
        return self

    _compiled: object = PrivateAttr(default=None)

    def model_copy(self, *, update: dict | None = None, deep: bool = False) -> PoseSpec:
        """A copy; with ``update``, validated again and compiled for its new content."""
        if update:
            return type(self).model_validate({**self.model_dump(), **update})
        return super().model_copy(deep=deep)

    @property
    def compiled(self):  # noqa: ANN201 - a CompiledSpec
        """The spec's measurements resolved to landmarks (see :mod:`posecheck.specs.compiled`).

        Resolved once, the first time it is needed (a valid spec always compiles): measuring
        a frame then only indexes arrays.
        """
        if self._compiled is None:
            from posecheck.specs.compiled import compile_spec

            self._compiled = compile_spec(self)
        return self._compiled

    @property
    def content_hash(self) -> str:
        """12 hex digits that change whenever something that decides the numbers changes.

        The hash covers the checks (kinds, points, targets, weights, in-pose ranges), the
        posture checks, the view, the sides, the hold and the visibility threshold; it leaves
        out the wording (title, aliases, description, sources, labels, cues, praise), so that
        rewording a cue does not split a pose's history, while a spec of the same id with
        other targets (a user's own, replacing the bundled one) keeps trends of its own.
        """
        if self._hash is None:
            import hashlib
            import json

            wording = {"title", "aliases", "source", "description", "praise", "unmeasurable"}
            data = self.model_dump(exclude=wording)
            for check in (*data["checks"], *data["posture"]):
                check.pop("label", None)
                check.pop("cues", None)
            text = json.dumps(data, sort_keys=True, separators=(",", ":"))
            self._hash = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        return self._hash

    _hash: str | None = PrivateAttr(default=None)

    def find_check(self, check_id: str) -> CheckSpec | None:
        """The check with id ``check_id``, or None when the spec has none (e.g. it changed since a run)."""
        return next((c for c in self.checks if c.id == check_id), None)

    def check(self, check_id: str) -> CheckSpec:
        """The check with id ``check_id``."""
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)

    def names(self) -> list[str]:
        """Every name this spec answers to (id, aliases, title), normalised."""
        return [normalise_name(n) for n in (self.id, self.title, *self.aliases)]


def normalise_name(name: str) -> str:
    """``Low Lunge`` / ``low-lunge`` -> ``low_lunge``."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def points_of(check: CheckSpec, sides: str) -> tuple[list[PointRef], list[PointRef]]:
    """The parsed ``points`` and ``relative_to`` of a check (already validated)."""
    roles = sides == "front_back"
    return (
        [parse_point(p, roles) for p in check.points],
        [parse_point(p, roles) for p in (check.relative_to or [])],
    )
