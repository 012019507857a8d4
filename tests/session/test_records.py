"""The typed records of summary.json: round trips, older files, and the published JSON Schema."""

from __future__ import annotations

import json

import pytest

from posecheck.session.records import (
    SUMMARY_VERSION,
    AutoSummary,
    CheckStats,
    PoseSummary,
    RoutineReport,
    RoutineStepReport,
    Segment,
    SideTotals,
    summary_from_json,
    summary_json_schema,
    summary_to_json,
)
from posecheck.track.holds import Hold

from ..cli_helpers import ROOT


def _pose() -> PoseSummary:
    return PoseSummary(pose="frog", pose_title="Frog", input="a.mp4", frames=72, fps=24.0, duration_s=3.0,
                       score=88.5, time_in_pose_s=2.5, time_in_good_form_s=2.0,
                       holds=[Hold(None, 0.5, 3.0, 2.5, 2.0, 88.5)], sides={"both": SideTotals(holds=1)},
                       checks={"knees_wide": CheckStats(median=4.1, pct_ok=100.0, target="≥2", label="knees")},
                       estimator="bundled", mode="live")


def _auto() -> AutoSummary:
    seg = Segment(pose="frog", start_s=3.0, end_s=6.0, frames=72, score=90.0,
                  holds=[Hold(None, 3.5, 6.0, 2.5, 2.5, 90.0)])
    step = RoutineStepReport(pose="frog", title="Frog", hold_target_s=1.5, done=True, start_s=3.0, end_s=5.0,
                             score=90.0, time_in_pose_s=2.0, time_in_good_form_s=1.5, held_long_enough=True)
    return AutoSummary(input="b.mp4", frames=144, segments=[seg],
                       routine=RoutineReport(id="r", title="R", holds_planned=1, holds_done=1, steps=[step]))


@pytest.mark.parametrize("make", [_pose, _auto])
def test_a_summary_reads_back_as_it_was_written(make):
    s = make()
    data = json.loads(json.dumps(summary_to_json(s)))
    assert data["version"] == SUMMARY_VERSION and list(data)[:2] == ["version", "pose"]
    assert summary_from_json(data) == s


def test_the_run_fields_come_after_the_figures():
    keys = list(summary_to_json(_pose()))
    assert keys.index("most_common_camera_cue") < keys.index("estimator") < keys.index("frames_dropped")


def test_an_older_summary_without_the_newer_fields_reads():
    old = {"pose": "frog", "pose_title": "Frog", "input": "x.mp4", "complete": True, "frames": 3, "score": None,
           "holds": [], "checks": {}}
    s = summary_from_json(old)
    assert isinstance(s, PoseSummary) and s.version == 1 and s.score is None and s.mode is None


@pytest.mark.parametrize("bad", [[], {"score": 3}, {"pose": "frog", "frames": "many"}])
def test_what_is_not_a_summary_is_a_value_error(bad):
    with pytest.raises(ValueError, match="not a posecheck summary"):
        summary_from_json(bad)


def test_the_published_schema_is_the_records_schema():
    published = json.loads((ROOT / "docs" / "summary.schema.json").read_text(encoding="utf-8"))
    assert published == summary_json_schema(), "regenerate docs/summary.schema.json (see docs/architecture.md)"
    assert {"PoseSummary", "AutoSummary", "Segment", "Hold"} <= set(published["$defs"])
