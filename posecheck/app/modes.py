"""What to practise, from the names a person gives: a pose, ``auto``, or a routine.

``live`` takes the names from its options and ``serve`` from the page; both make the
:class:`~posecheck.session.session.Mode` here, so a name means the same in both.
"""

from __future__ import annotations

from posecheck.session.session import Mode


def mode_named(specs, pose: str | None = None, routine: str | None = None, side: str = "auto",  # noqa: ANN001
               routines=None) -> Mode:  # noqa: ANN001
    """The mode for a pose name (or ``auto``) or a routine name.

    Args:
        specs: the :class:`~posecheck.specs.SpecLibrary` to find poses in.
        pose: a pose's id, title or alias, or ``auto`` (ignored with ``routine``).
        routine: a routine's id or title.
        side: ``auto``, ``left`` or ``right`` (a pose's leg in front).
        routines: the :class:`~posecheck.specs.routines.RoutineLibrary` (needed with ``routine``).

    Raises:
        UnknownPoseError, UnknownRoutineError: a name nothing answers to (with close names).
    """
    if routine is not None:
        the_routine = routines.get(routine)
        plan = routines.plan(the_routine)
        # Recognise only the routine's own poses: fewer look-alikes to confuse.
        return Mode.routine(the_routine, plan, [specs.get(p) for p in dict.fromkeys(h.pose for h in plan)])
    if pose is None:
        raise ValueError("mode_named needs a pose or a routine")
    if pose.strip().lower() == "auto":
        return Mode.auto(list(specs), side)
    return Mode.pose(specs.get(pose), side)


__all__ = ["mode_named"]
