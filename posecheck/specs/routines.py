"""Routines: a sequence of poses with holds, sides, repetitions and rests.

A routine file is YAML, validated like a spec (every problem reported, each naming
the file and the field path), and checked against the poses the spec library knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from posecheck.errors import SpecError, UnknownPoseError, UnknownRoutineError, printable
from posecheck.specs import SpecLibrary
from posecheck.specs.library import Library
from posecheck.specs.loader import read_yaml, validate_data
from posecheck.specs.models import ID_PATTERN, Hold, normalise_name


@dataclass(frozen=True)
class PlannedHold:
    """One hold of a routine's plan, as a person does it.

    Attributes:
        pose: the pose id.
        title: the pose's title.
        side: the leg in front for poses with sides (``left``/``right``), else None.
        repetition: 1 for the first time, 2 for the second...
        hold_s: the hold's target in seconds (None: the pose has no hold target).
        rest_s: the rest after it, in seconds.
        note: a sentence to say when the step starts, if any.
    """

    pose: str
    title: str
    side: str | None = None
    repetition: int = 1
    hold_s: float | None = None
    rest_s: float = 0.0
    note: str | None = None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RoutineStep(_Strict):
    """One pose of a routine."""

    pose: str = Field(..., description="A pose id, title or alias.")
    hold: Hold | None = Field(None, description="How long to hold; the pose's own hold when omitted.")
    sides: Literal["both", "left", "right", "none"] | None = Field(
        None, description="Which sides to do; 'both' for poses with sides unless given.")
    repetitions: int = Field(1, ge=1, le=50, description="How many times (per side).")
    rest_s: float | None = Field(None, ge=0, le=600, description="Rest after each hold; the routine's when omitted.")
    note: str | None = Field(None, description="A sentence said when the step starts.")


class Routine(_Strict):
    """A guided sequence of poses."""

    id: str = Field(..., pattern=ID_PATTERN, description="Stable id: lower case, digits and _; "
                                                          "what 'posecheck live --routine' is given.")
    title: str = Field(..., description="The name shown and spoken.")
    source: list[str] = Field(..., min_length=1, description="The source texts the routine follows, e.g. '000'.")
    description: str | None = Field(None, description="A sentence or two shown by 'posecheck routines show'.")
    rest_s: float = Field(10.0, ge=0, le=600, description="Default rest between holds, in seconds.")
    steps: list[RoutineStep] = Field(..., min_length=1, description="The poses in order.")

    def names(self) -> list[str]:
        """The names this routine answers to, normalised."""
        return [normalise_name(n) for n in (self.id, self.title)]


def bundled_routines_dir() -> Path:
    """Where the routines shipped with posecheck live (inside the wheel, or the checkout's root)."""
    inside = Path(str(resources.files("posecheck"))) / "routines"
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parents[2] / "routines"


def _unknown_pose(name: str, specs: SpecLibrary) -> str | None:
    """Why ``name`` is no pose of ``specs`` (None: it is one)."""
    try:
        specs.get(name)
    except UnknownPoseError as exc:
        text = exc.one_line().rstrip(".")
        if specs.extra:
            where = ", ".join(str(f) for f in specs.extra)
            return f"{text} (not a bundled pose, nor one in {where})"
        # The commonest cause: a pose of the user's own, whose folder was not given.
        return f"{text} (a pose of your own? add --specs DIR, the folder of its spec file)"
    return None


def pose_problems(data: Any, origin: str, specs: SpecLibrary) -> list[str]:
    """One line per step of a routine's raw data whose pose ``specs`` does not know.

    Read from the raw data rather than the validated routine, so that an unknown pose
    is reported together with every other problem of the file, not after they are fixed.
    """
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        return []
    problems = []
    for i, step in enumerate(steps):
        pose = step.get("pose") if isinstance(step, dict) else None
        if isinstance(pose, str) and (why := _unknown_pose(pose, specs)) is not None:
            problems.append(printable(f"{origin}: steps[{i}].pose: {why}"))
    return problems


def load_routine(path: str | Path, specs: SpecLibrary | None = None) -> Routine:
    """Read and validate one routine file, its poses checked against ``specs``.

    Raises:
        SpecError: every problem of the file at once (fields and unknown poses alike).
    """
    path = Path(path)
    specs = specs or SpecLibrary()
    data = read_yaml(path)
    problems = pose_problems(data, str(path), specs)
    try:
        routine = validate_data(data, Routine, str(path))
    except SpecError as exc:
        raise SpecError([*exc.lines(), *(p for p in problems if p not in exc.lines())]) from None
    if problems:
        raise SpecError(problems)
    return routine


def plan_duration_s(plan: list[PlannedHold]) -> float:
    """How long a plan takes at its targets: every hold and the rests between them (none after the last)."""
    holds = sum(h.hold_s or 0.0 for h in plan)
    rests = sum(h.rest_s for h in plan[:-1])
    return holds + rests


def routine_json_schema() -> dict[str, Any]:
    """The JSON Schema of a routine file (for editors, and ``posecheck routines schema``)."""
    schema = Routine.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "posecheck routine"
    return schema


class RoutineLibrary(Library[Routine]):
    """Routines by name: the bundled ones plus any folders the user adds."""

    what = "routine"
    list_hint = "run 'posecheck routines list' to see them"
    unknown = UnknownRoutineError

    def __init__(self, extra: list[Path] | None = None, specs: SpecLibrary | None = None) -> None:
        self.specs = specs or SpecLibrary()
        self._load([bundled_routines_dir(), *(extra or [])], lambda f: load_routine(f, self.specs),
                   "fix the routine files or check them with 'posecheck routines validate'")

    def plan(self, routine: Routine) -> list[PlannedHold]:
        """The routine as the holds a person does, in order: pose, side, repetition, hold and rest."""
        out = []
        for step in routine.steps:
            spec = self.specs.get(step.pose)
            sides = step.sides or ("both" if spec.sides == "front_back" else "none")
            side_list = {"both": ["left", "right"], "left": ["left"], "right": ["right"], "none": [None]}[sides]
            hold = step.hold or spec.hold
            for rep in range(1, step.repetitions + 1):
                for side in side_list:
                    out.append(PlannedHold(pose=spec.id, title=spec.title, side=side, repetition=rep,
                                           hold_s=hold.target_s if hold else None,
                                           rest_s=step.rest_s if step.rest_s is not None else routine.rest_s,
                                           note=step.note))
        return out
