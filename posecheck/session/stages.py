"""The stages every session's frames pass before they are judged, whatever the front end.

:func:`default_stages` is what :meth:`~posecheck.session.session.Mode.session` puts first,
so ``score``, ``live``, a replay and a batch worker follow the body the same way:
:class:`FollowStage` runs a :class:`~posecheck.track.follow.BodyFollower` on each frame and
notes what it found in the frame's events (``PERSON_CHANGED``, ``SIDES_SWAPPED``,
``IMPLAUSIBLE`` in :mod:`posecheck.session.records`), which ``frames.csv`` keeps.
"""

from __future__ import annotations

from dataclasses import replace

from posecheck.session.records import IMPLAUSIBLE, PERSON_CHANGED, SIDES_SWAPPED
from posecheck.session.session import Arrived, FrameStage
from posecheck.track.follow import BodyFollower


class FollowStage:
    """Follows the body (same person, consistent left and right, plausible joints, stillness)."""

    def __init__(self) -> None:
        self.follower = BodyFollower()

    def push(self, item: Arrived) -> list[Arrived]:
        f = self.follower(item.frame)
        events = list(item.events)
        if f.person_changed:
            events.append(PERSON_CHANGED)
        if f.swapped:
            events.append(f"{SIDES_SWAPPED}: {', '.join(f.swapped)}")
        if f.implausible:
            events.append(f"{IMPLAUSIBLE}: {', '.join(sorted(lm.label for lm in f.implausible))}")
        return [replace(item, frame=f.frame, events=tuple(events), sides_named=f.sides_named, still_s=f.still_s,
                        moving=f.moving)]

    def flush(self) -> list[Arrived]:
        return []


def default_stages(still: bool = False) -> tuple[FrameStage, ...]:
    """The stages every session runs first: none for unrelated photos (nothing carries over)."""
    return () if still else (FollowStage(),)


__all__ = ["FollowStage", "default_stages"]
