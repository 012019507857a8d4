"""Each check's measured uncertainty: where it is kept, when it applies, and the rule it sets."""

from __future__ import annotations

import json

import pytest

from posecheck.judge.assess import band_status
from posecheck.judge.status import Status
from posecheck.specs import SpecLibrary
from posecheck.specs.accuracy import ACCURACY_FILE, accuracy_of, fingerprint, uncertainty_of
from posecheck.specs.library import bundled_specs_dir
from posecheck.track.filters import StatusHysteresis

LIB = SpecLibrary()


def test_every_bundled_check_measured_on_a_right_view_clip_has_an_uncertainty():
    table = json.loads((bundled_specs_dir() / ACCURACY_FILE).read_text())["checks"]
    lunge = LIB.get("kneeling_lunge")
    knee = accuracy_of(lunge, "front_knee_angle")
    assert knee is not None and knee.frames > 300 and knee.clips >= 5
    assert knee.uncertainty == table["kneeling_lunge"]["front_knee_angle"]["uncertainty"]
    # The ± is what 95% of frames stay within, so it is never below the median error.
    for pose, checks in table.items():
        for check_id, entry in checks.items():
            assert entry["uncertainty"] >= entry["median_error"], (pose, check_id)
            assert entry["fingerprint"] == fingerprint(LIB.get(pose).check(check_id)), (pose, check_id)


def test_an_edited_check_gets_no_borrowed_uncertainty():
    lunge = LIB.get("kneeling_lunge")
    data = lunge.model_dump()
    data["checks"][0]["points"] = ["front_hip", "front_knee", "front_heel"]  # measures something else now
    edited = type(lunge).model_validate(data)
    assert accuracy_of(edited, "front_knee_angle") is None
    assert uncertainty_of(edited, "front_knee_angle") == 0.0
    assert accuracy_of(lunge, "no_such_check") is None
    # Same measurement, other numbers (a user's stricter bands): the accuracy still applies.
    data = lunge.model_dump()
    data["checks"][0]["target"] = {"value": 95, "ok": 5, "near": 15}
    assert accuracy_of(type(lunge).model_validate(data), "front_knee_angle") is not None


def test_a_value_within_its_uncertainty_of_the_near_edge_is_never_off():
    target = LIB.get("kneeling_lunge").check("front_knee_angle").target  # 90, ok 10, near 20
    assert band_status(target, 66.0)[0] is Status.OFF  # 24° below: off for a perfect instrument
    assert band_status(target, 66.0, uncertainty=5.0)[0] is Status.NEAR  # within 5° of the near edge (70)
    assert band_status(target, 64.0, uncertainty=5.0)[0] is Status.OFF  # 26° below: off even so
    assert band_status(target, 85.0, uncertainty=5.0)[0] is Status.OK  # the ok band is not widened
    assert band_status(target, 79.0, uncertainty=5.0)[0] is Status.NEAR


@pytest.mark.parametrize("devs,expected", [
    ([0, 22, 24.9, 25.6], ["ok", "near", "near", "off"]),  # off only past near + u (+ the 1.5 margin)
    ([30, 25.0, 22.4], ["off", "off", "near"]),            # and back to near below near + u - margin
])
def test_the_status_trigger_keeps_the_same_rule(devs, expected):
    h = StatusHysteresis(ok=10, near=20, uncertainty=4.0)
    assert [h(d) for d in devs] == expected
