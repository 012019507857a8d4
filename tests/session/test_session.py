"""The session on stick figures (no model): stages before judging, and answers in order."""

from __future__ import annotations

import dataclasses

from posecheck.session.session import Arrived, Mode
from posecheck.specs import SpecLibrary

from .. import factories as f

LIB = SpecLibrary()


class HoldBack:
    """A stage that answers each frame two frames later, and notes an event on every third."""

    def __init__(self) -> None:
        self.held: list[Arrived] = []

    def push(self, item: Arrived) -> list[Arrived]:
        if item.index % 3 == 0:
            item = dataclasses.replace(item, events=("third",))
        self.held.append(item)
        return [self.held.pop(0)] if len(self.held) > 2 else []

    def flush(self) -> list[Arrived]:
        out, self.held = self.held, []
        return out


def _frames(n: int) -> list:
    return [f.lunge(knee_angle=92 + (i % 5), timestamp=i / 10) for i in range(n)]


def test_a_stage_that_holds_frames_back_changes_when_not_what():
    frames = _frames(30)
    # Live: no zero-lag filter of its own, so the answers come exactly when the stage lets them go.
    plain = Mode.pose(LIB.get("kneeling_lunge")).session(fps=10.0, live=True)
    direct = [out for i, fr in enumerate(frames) for out in plain.push(fr, i)] + plain.flush()
    staged = Mode.pose(LIB.get("kneeling_lunge")).session(fps=10.0, live=True, stages=(HoldBack(),))
    late = []
    for i, fr in enumerate(frames):
        got = staged.push(fr, i)
        assert [g.index for g in got] == ([i - 2] if i >= 2 else [])
        late += got
    late += staged.flush()
    assert [x.index for x in late] == list(range(30))
    assert [x.events for x in late] == [("third",) if i % 3 == 0 else () for i in range(30)]
    strip = [dataclasses.replace(x, events=()) for x in late]
    assert strip == direct
    assert staged.summary("x") == plain.summary("x")


def test_the_most_common_cue_is_the_one_given_not_each_checks_own():
    """Two checks are near (front knee 112°, knee behind the ankle), and the person is told one
    thing at a time: the front knee, the more urgent. The summary's most common cue is the cue
    given; the knee-over-ankle check, whose cue was never shown, lists none (issue 17: it listed
    every check's own cue, e.g. "Lower your back knee onto the mat." that nobody was told)."""
    s = Mode.pose(LIB.get("kneeling_lunge")).session(fps=10.0, live=True)
    out = [o for i in range(60) for o in s.push(f.lunge(knee_angle=112, shin_tilt=-12, timestamp=i / 10), i)]
    out += s.flush()
    given = {o.cue.text for o in out if o.cue is not None}
    assert given == {"Bend your front knee deeper, toward 90°."}
    checks = s.summary("x").checks
    assert checks["knee_over_ankle"].pct_near == 100.0  # it was near all along: its own cue applied
    assert checks["front_knee_angle"].most_common_cue == "Bend your front knee deeper, toward 90°."
    assert checks["knee_over_ankle"].most_common_cue is None
    # What it asked for is kept apart, for "what to work on".
    assert checks["knee_over_ankle"].correction.startswith("Your front knee is behind your ankle")
