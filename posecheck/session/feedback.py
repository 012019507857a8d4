"""Which cues apply to a frame: the bridge from a tracker verdict to the cue scheduler."""

from __future__ import annotations

import math

from posecheck.judge.status import Status
from posecheck.session.cues import Cue
from posecheck.track.verdict import FrameVerdict

#: A pose is coached (corrected or praised) only once the body has held still this long:
#: a person moving into a pose, or through shapes that look like one for a moment (star
#: jumps), is not told how to hold it.
COACH_AFTER_S = 1.0


def cue_candidates(v: FrameVerdict, praise: str, still_s: float = math.inf) -> list[Cue]:
    """Every cue that applies to ``v``: camera/visibility, corrections, then praise.

    Corrections are ordered by urgency: the check's weight times how far it is
    past its target, doubled when it is off rather than near. Praise is offered
    only when the person is in the pose in good form and nothing needs saying.
    Until the body has held still for :data:`COACH_AFTER_S` (``still_s``), only the
    camera cue applies.
    """
    out: list[Cue] = []
    if v.camera_cue:
        out.append(Cue(text=v.camera_cue, kind="camera", key="camera", urgency=math.inf))
    if still_s < COACH_AFTER_S:
        return out
    for c in v.checks:
        if c.status in (Status.OFF, Status.NEAR) and c.cue:
            urgency = c.weight * abs(c.deviation) * (2.0 if c.status is Status.OFF else 1.0)
            out.append(Cue(text=c.cue, kind="correction", key=c.id, urgency=urgency))
    if v.good_form and not out:
        out.append(Cue(text=praise, kind="praise", key="praise", urgency=0.0))
    return out
