"""The frame stage that filters a recording's landmarks without lag.

A recorded video is known ahead of the frame being judged, so its landmarks are filtered
forward and backward (:mod:`posecheck.track.zerolag`) before the judge sees them; a
:class:`~posecheck.session.session.Session` of a recording puts this stage after every
stage it is given (those fix what the model got wrong, e.g. swapped legs, and the filter
must not smear a wrong frame into its neighbours first). Live runs cannot look ahead:
their trackers smooth causally instead (:mod:`posecheck.track.tracker`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from posecheck.core.frame import PointFlag, PoseFrame
from posecheck.track.zerolag import RECORDING, ZeroLagFilter, ZeroLagSettings

if TYPE_CHECKING:  # the session module makes this stage: no import cycle at run time
    from posecheck.session.session import Arrived

#: Events (noted by an earlier stage) after which the landmarks belong to another stretch of
#: time: the filter starts over instead of mixing the two.
BREAKING_EVENTS = frozenset({"person changed"})

#: A landmark below this visibility, or flagged implausible by an earlier stage (the follow
#: stage's plausibility tests), is distrusted: it is left out of the filter, so it cannot pull
#: its neighbours, and passes as it is. It also ends the filter's run there, unbridged: where the
#: model put a joint somewhere no body can, the frames beside it are often wrong the same way
#: (``lunge_side_behind_left``: a knee 115 px off for 8 frames, 2 of them found implausible;
#: bridged, the 8 pulled the first right frames after them 9° and 0.1 shin lengths off).
DISTRUSTED_BELOW = 0.05


def breaks_run(item: Arrived) -> bool:
    """Whether ``item`` starts a new run for the filter (an earlier stage saw the person change)."""
    return any(e in BREAKING_EVENTS for e in item.events)


def _filtered(frame: PoseFrame, xy: np.ndarray, glitch: np.ndarray) -> PoseFrame:
    vis = frame.visibility
    if glitch.any():  # distrusted, as the jump guard does: "can't see", never a wrong value
        vis = vis.copy()
        vis[glitch] = 0.0
    return PoseFrame(xy=xy, z=frame.z, visibility=vis, image_size=frame.image_size,
                     timestamp=frame.timestamp, presence=frame.presence, world=frame.world, flags=frame.flags)


class ZeroLagStage:
    """Filters the image coordinates of every landmark, answering each frame ``reach_s`` late.

    Only ``xy`` (what every check measures) is filtered; depth, visibility and world
    coordinates pass as the model gave them, and ``Arrived.raw`` keeps the model's own
    landmarks. A landmark the filter finds to be a glitch keeps its place and gets visibility
    0 (it is not judged in that frame); one an earlier stage distrusted (visibility below
    :data:`DISTRUSTED_BELOW`, or flagged implausible) is left out of the filter, ends the run
    there and passes as it came. A frame more than ``max_gap_s`` after the one before it (dropped frames, a
    pause) or one :func:`breaks_run` names starts a new run.

    Args:
        rate_hz: judged frames per second (the frame rate over ``--stride``).
        settings: the filter (default :data:`~posecheck.track.zerolag.RECORDING`).
        breaks: which frames start a new run.
    """

    def __init__(self, rate_hz: float, settings: ZeroLagSettings = RECORDING,
                 breaks: Callable[[Arrived], bool] = breaks_run) -> None:
        self.filter = ZeroLagFilter(settings, rate_hz, point_size=2)
        self._breaks = breaks
        self._frame_s = 1.0 / rate_hz
        self._items: deque[Arrived] = deque()
        self._rows: deque[np.ndarray] = deque()
        self._next = 0  # position in _items of the first frame not answered yet

    def push(self, item: Arrived) -> list[Arrived]:
        out: list[Arrived] = []
        if self._items:
            gap = item.frame.timestamp - self._items[-1].frame.timestamp
            if self._breaks(item) or gap > self.filter.settings.max_gap_s + 1.5 * self._frame_s:
                out = self.flush()
        self._items.append(item)
        xy = item.frame.xy
        # NaN (missing) compares False: a gap, bridged when short.
        distrusted = (item.frame.visibility < DISTRUSTED_BELOW) | (item.frame.flags == PointFlag.IMPLAUSIBLE)
        if distrusted.any():
            xy = xy.copy()
            xy[distrusted] = np.inf  # a break of the run (zerolag), unknown to the judge
        self._rows.append(xy.reshape(-1))
        reach = self.filter.reach
        while self._next < len(self._items) and len(self._items) - 1 - self._next >= reach:
            out.append(self._answer(self._next))
            self._next += 1
        while self._next > reach:  # what is further back than the reach is never needed again
            self._items.popleft()
            self._rows.popleft()
            self._next -= 1
        return out

    def flush(self) -> list[Arrived]:
        out = [self._answer(k) for k in range(self._next, len(self._items))]
        self._items.clear()
        self._rows.clear()
        self._next = 0
        return out

    def _answer(self, k: int) -> Arrived:
        item = self._items[k]
        if not item.frame.detected:
            return item
        reach = self.filter.reach
        lo = max(0, k - reach)
        rows = list(self._rows)[lo:k + reach + 1]
        values, glitch = self.filter.value_at(np.stack(rows), k - lo)
        xy = values.reshape(-1, 2)
        left_out = (np.isnan(xy).any(axis=1) | np.isinf(xy).any(axis=1)) & ~np.isnan(item.frame.xy).any(axis=1)
        xy[left_out] = item.frame.xy[left_out]  # distrusted ones pass as they came
        return replace(item, frame=_filtered(item.frame, xy, glitch.reshape(-1, 2).any(axis=1)))


__all__ = ["BREAKING_EVENTS", "DISTRUSTED_BELOW", "ZeroLagStage", "breaks_run"]
