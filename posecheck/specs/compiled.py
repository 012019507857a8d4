"""A spec resolved once, when it is loaded: each measurement's landmarks for either front leg.

Measuring a frame then only indexes arrays. Checks (judged, scored, cued) and posture
checks (recognition only) compile the same way into :class:`CompiledMeasurement`; the
posture ones are never turned into checks with placeholder targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from posecheck.checks import CheckKind, get_kind
from posecheck.core.body import expected_length
from posecheck.core.landmarks import Landmark
from posecheck.specs.points import PointRef, parse_point


@dataclass(frozen=True)
class Resolved:
    """A measurement's points as landmark groups for one choice of front leg.

    Attributes:
        groups: per point, its landmark (or the two of a midpoint).
        rel_groups: the same for ``relative_to``.
        used: every landmark the measurement needs.
        anchors: the first landmark of each point (where a value is drawn).
        guarded: ``(i, j, expected length as a share of body scale)`` of limb segments
            whose foreshortening is checked.
    """

    groups: tuple[tuple[Landmark, ...], ...]
    rel_groups: tuple[tuple[Landmark, ...], ...]
    used: tuple[Landmark, ...]
    anchors: tuple[Landmark, ...]
    guarded: tuple[tuple[int, int, float], ...]


@dataclass(frozen=True)
class CompiledMeasurement:
    """One check or posture check, ready to measure.

    Attributes:
        id: its id.
        kind: its check kind.
        options: kind-specific options.
        min_visibility: the visibility its landmarks need.
        own_visibility: whether that differs from the spec's (so visibility is recomputed).
        by_front: resolved points for front leg None / ``left`` / ``right`` (None: cannot be resolved).
        floor: whether it is a ``plane: floor`` angle (needs the camera's view of the floor).
    """

    id: str
    kind: CheckKind
    options: dict
    min_visibility: float
    own_visibility: bool
    by_front: dict[str | None, Resolved | None]
    floor: bool


@dataclass(frozen=True)
class CompiledSpec:
    """Every measurement of a spec, resolved.

    Attributes:
        checks: the spec's checks, in order.
        posture: its posture checks (recognition only), in order.
        needs_floor: some measurement is a floor-plane angle.
        one_sided: a side-view spec whose points are of one side only (see
            :func:`posecheck.judge.recognise.one_sided`).
    """

    checks: tuple[CompiledMeasurement, ...]
    posture: tuple[CompiledMeasurement, ...]
    needs_floor: bool
    one_sided: bool


def _resolve(kind: CheckKind, pts: list[PointRef], rel: list[PointRef], front: str | None) -> Resolved | None:
    groups = tuple(p.landmarks(front) for p in pts)
    rel_groups = tuple(p.landmarks(front) for p in rel)
    if any(len(g) == 0 for g in groups + rel_groups):
        return None
    guarded = []
    for i, j in kind.segments:
        if len(groups[i]) == 1 and len(groups[j]) == 1:
            share = expected_length(groups[i][0], groups[j][0], 1.0)
            if share:
                guarded.append((i, j, share))
    return Resolved(groups, rel_groups, tuple(lm for g in groups + rel_groups for lm in g),
                    tuple(g[0] for g in groups), tuple(guarded))


def _compile_one(m, roles: bool, spec_visibility: float) -> CompiledMeasurement:  # noqa: ANN001 - a _Measurement
    kind = get_kind(m.kind)
    pts = [parse_point(p, roles) for p in m.points]
    rel = [parse_point(p, roles) for p in (m.relative_to or [])]
    vis = m.min_visibility if m.min_visibility is not None else spec_visibility
    by_front = {front: _resolve(kind, pts, rel, front) for front in (None, "left", "right")}
    return CompiledMeasurement(m.id, kind, dict(m.options), vis, vis != spec_visibility, by_front,
                               m.options.get("plane") == "floor")


def compile_spec(spec) -> CompiledSpec:  # noqa: ANN001 - a PoseSpec (which calls this when it is made)
    """Resolve every check and posture check of ``spec``."""
    roles = spec.sides == "front_back"
    checks = tuple(_compile_one(c, roles, spec.min_visibility) for c in spec.checks)
    posture = tuple(_compile_one(p, roles, spec.min_visibility) for p in spec.posture)
    sides = {parse_point(p, roles=roles).side
             for c in (*spec.checks, *spec.posture) for p in (*c.points, *(c.relative_to or []))}
    one_sided = spec.view == "side" and spec.sides == "none" and len(sides & {"left", "right"}) == 1
    return CompiledSpec(checks, posture, any(c.floor for c in checks + posture), one_sided)


__all__ = ["CompiledMeasurement", "CompiledSpec", "Resolved", "compile_spec"]
