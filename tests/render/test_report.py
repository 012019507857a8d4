"""report.html: built from a real scoring run, escaped, self-contained, and rendered by Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from ..browser import chromium
from ..cli_helpers import ROOT, assert_clean_error, posecheck
from ..conftest import sample

CLIP = "lunge_side_drift_right.mp4"  # drifts out of form: the plots have something to show
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> Path:
    """A real ``score --report`` run of a sample clip."""
    base = tmp_path_factory.mktemp("report")
    out = base / "out"
    run = posecheck("score", str(sample(CLIP)), "--pose", "kneeling_lunge", "--out", str(out), "--report", "-q",
                    env={"POSECHECK_HOME": str(base / "home")})
    assert run.code == 0, run.err
    return out


def _html(out: Path) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.model
def test_score_report_holds_plots_stills_and_the_video(scored):
    html = _html(scored)
    summary = json.loads((scored / "summary.json").read_text())
    assert "Kneeling lunge" in html and CLIP in html
    # One plot per check and the status timeline, all inline SVG.
    assert html.count("<svg") == len(summary["checks"]) + 1
    for c in summary["checks"].values():
        assert f"<h3>{c['label']}</h3>" in html
    # Each median is shown with the check's measured uncertainty ("91.3° ± 8°").
    knee = summary["checks"]["front_knee_angle"]
    assert re.search(rf"{knee['median']:.1f}°</b> ± {knee['uncertainty']:.0f}°", html), knee
    # Three worst moments as still frames.
    assert len(re.findall(r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]{1000,}"', html)) == 3
    # The annotated video is inside the page, byte for byte.
    m = re.search(r'<video controls[^>]*src="data:video/mp4;base64,([A-Za-z0-9+/=]+)"', html)
    assert m, "no embedded video"
    import base64

    assert base64.b64decode(m.group(1)) == (scored / "annotated.mp4").read_bytes()
    # The score and the hold are shown.
    assert f"{round(summary['score'])}<small> / 100" in html
    assert f"<td>{summary['holds'][0]['side']}</td>" in html
    # The timer's one meaning, with summary.json's own figures: time in good form toward the target
    # (a tile), and each hold's good form next to its time in the pose.
    assert (f'<div class="k">Time in good form</div><div class="v">{summary["time_in_good_form_s"]:.1f}'
            f'<small> s of the {summary["hold_target_s"]:.0f} s target') in html
    for hold in summary["holds"]:
        assert (f'<td class="n">{hold["duration_s"]:.1f} s</td>'
                f'<td class="n">{hold["good_form_s"]:.1f} s</td>') in html
    # Self-contained: nothing is fetched from anywhere.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<script" not in html and "<link" not in html


@pytest.mark.model
def test_report_command_refuses_to_replace_without_force(scored):
    assert_clean_error(posecheck("report", str(scored)), 3, "report.html already exists", "--force")
    run = posecheck("report", str(scored), "--force")
    assert run.code == 0, run.err
    assert "report.html" in run.out


def test_report_command_on_a_folder_without_results(tmp_path):
    assert_clean_error(posecheck("report", str(tmp_path)), 2, "no summary.json")
    assert_clean_error(posecheck("report", str(tmp_path / "missing")), 2, "not a folder")


@pytest.mark.model
def test_a_large_video_is_linked_not_embedded(scored, tmp_path):
    from posecheck.render.report import build_session_report

    html = build_session_report(scored, embed_limit=1000)
    assert "data:video/mp4" not in html
    assert '<a href="annotated.mp4">annotated.mp4</a>' in html
    assert "more than the 0 MB this page embeds" in html or "this page embeds" in html


@pytest.mark.model
def test_text_from_specs_and_file_names_is_escaped(tmp_path):
    spec = yaml.safe_load((ROOT / "pose_specs" / "kneeling_lunge.yaml").read_text())
    spec["title"] = f"Lunge {HOSTILE}"
    spec["checks"][0]["label"] = "<b>knee</b> $x^2$"
    spec["checks"][0]["cues"]["above"] = f"Bend {HOSTILE} deeper"
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "kneeling_lunge.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    clip = tmp_path / "<img src=x onerror=alert(1)>.mp4"
    shutil.copy(sample("lunge_side_120_left.mp4"), clip)  # its knee is off: the hostile cue is shown
    out = tmp_path / "out"
    run = posecheck("score", str(clip), "--pose", "kneeling_lunge", "--specs", str(specs), "--out", str(out),
                    "--report", "--no-video", "-q", env={"POSECHECK_HOME": str(tmp_path / "home")})
    assert run.code == 0, run.err
    html = _html(out)
    assert "<script" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;.mp4" in html
    assert "&lt;b&gt;knee&lt;/b&gt; $x^2$" in html  # in the page and, as SVG text, in the timeline
    assert "<b>knee</b>" not in html
    # The report command (spec looked up again through --specs) escapes the same way.
    run = posecheck("report", str(out), "--force", "--specs", str(specs))
    assert run.code == 0, run.err
    html = _html(out)
    assert "<script" not in html and "&lt;script&gt;" in html


def test_worst_moments_are_the_lowest_scores_apart_in_time():
    from posecheck.render.report.render import Frames, worst_moments

    t = np.arange(100) / 10.0  # 10 s at 10 fps
    score = np.full(100, 90.0)
    score[[20, 21, 22]] = [30, 20, 25]  # one slip of three frames
    score[60] = 40
    score[85] = 50
    score[95] = np.nan  # not judged: never a "worst moment"
    in_pose = np.ones(100, dtype=bool)
    frames = Frames(t=t, frame=t * 10, side=["left"] * 100, person=np.ones(100, dtype=bool), in_pose=in_pose,
                    good_form=score >= 75, score=score, values={}, status={}, camera_cue=[""] * 100)
    assert worst_moments(frames) == [21, 60, 85]
    frames.person[:] = False
    assert worst_moments(frames) == []


# -- Chromium ---------------------------------------------------------------------------------

_chromium = chromium  # the one lookup of the system's browser (tests/browser.py)


needs_chromium = pytest.mark.skipif(
    _chromium() is None, reason="headless Chromium is not installed (Debian: apt-get install chromium)")


def _chrome(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    profile.mkdir(exist_ok=True)
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@needs_chromium
@pytest.mark.model
@pytest.mark.browser
def test_chromium_renders_the_report(scored, tmp_path):
    from PIL import Image

    url = (scored / "report.html").resolve().as_uri()
    png = tmp_path / "report.png"
    proc = _chrome(tmp_path, f"--screenshot={png}", "--window-size=1280,2000", url)
    assert png.exists() and png.stat().st_size > 20_000, proc.stderr[-2000:]
    pic = np.asarray(Image.open(png).convert("RGB"))
    assert pic.shape[:2] == (2000, 1280)
    assert pic.std() > 20  # not a blank page
    assert len(np.unique(pic.reshape(-1, 3), axis=0)) > 500  # text, plots and colours, not an error page
    # The status colours of the plots are on screen (ok green, off red).
    assert ((np.abs(pic.astype(int) - (0x2E, 0x9D, 0x5B)).sum(axis=2)) < 30).sum() > 2000
    if os.environ.get("POSECHECK_UPDATE_DOCS"):
        shutil.copy(png, ROOT / "docs" / "report_screenshot.png")

    dom = _chrome(tmp_path, "--dump-dom", url).stdout
    summary = json.loads((scored / "summary.json").read_text())
    assert dom.count("<svg") == len(summary["checks"]) + 1
    assert dom.count('class="plot"') == len(summary["checks"]) + 1
    assert re.search(r'<video controls[^>]*src="data:video/mp4;base64,', dom)


@needs_chromium
@pytest.mark.model
@pytest.mark.browser
def test_chromium_plays_the_embedded_video(scored, tmp_path):
    """The embedded H.264 decodes in the browser (a page of our own with a script to ask it)."""
    m = re.search(r'src="(data:video/mp4;base64,[^"]+)"', _html(scored))
    probe = tmp_path / "probe.html"
    probe.write_text(
        f'<!doctype html><title>waiting</title><video id="v" muted src="{m.group(1)}"></video><script>'
        "const v = document.getElementById('v');"
        "v.addEventListener('loadeddata', () => document.body.dataset.state = `playable ${v.videoWidth}x${v.videoHeight}`);"
        "v.addEventListener('error', () => document.body.dataset.state = `error ${v.error && v.error.code}`);"
        "</script>")
    dom = _chrome(tmp_path, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()).stdout
    assert 'data-state="playable 960x540"' in dom, dom[-500:]


# -- every kind of run: one pose, --pose auto, a routine ---------------------------------------------

#: The four sample clips back to back: a lunge each side, a frog, and a lunge too open (left).
FOUR = ["lunge_side_90_left", "lunge_side_90_right", "frog_backhigh_90", "lunge_side_120_left"]

#: A routine the clip half follows: both lunges and the frog done, knees to chest skipped.
ROUTINE = ("id: lunge_both_then_frog\ntitle: Lunge both sides, then frog\nsource: ['000']\nrest_s: 0\nsteps:\n"
           "  - {pose: kneeling_lunge, hold: {seconds: 2}, sides: both}\n"
           "  - {pose: frog, hold: {seconds: 2}}\n"
           "  - {pose: knees_to_chest, hold: {seconds: 2}}\n")


@pytest.fixture(scope="module")
def four_poses(tmp_path_factory, model_landmarks) -> tuple[Path, Path]:
    """The clip, and its landmarks from the real model (scored once, replayed by each test).

    The four clips are four different people (see samples/README.md) in the same place at the
    same size. Cut straight into each other no follower could tell the swap from one body (no
    jump in position or size), and the honesty branch's follower rightly keeps a body's own leg
    lengths for 10 s: the heavy man's shorter thigh then read as the first woman's leg folded,
    and his lunge was never judged. So the mat stays empty for 1.5 s between people (longer
    than the follower's 1 s gap, after which whoever comes is followed from scratch), as when
    people take turns in front of one camera.
    """
    import av

    from ..conftest import write_clip

    empty = [np.full((540, 960, 3), 128, np.uint8)] * 36  # 1.5 s at 24 fps, nobody in view
    frames = []
    for k, name in enumerate(FOUR):
        with av.open(str(sample(f"{name}.mp4"))) as c:
            frames += ([] if k == 0 else empty) + [fr.to_ndarray(format="bgr24") for fr in c.decode(video=0)]
    clip = tmp_path_factory.mktemp("four") / "four poses.mp4"
    write_clip(clip, frames)
    return clip, model_landmarks(clip)


def _score(out: Path, landmarks: Path, *args: str):  # noqa: ANN202
    run = posecheck("score", "--replay", str(landmarks), *args, "--out", str(out), "--report", "-q",
                    "--no-history")
    assert run.code == 0, run.err
    assert "Traceback" not in run.err and "warning" not in run.err.lower(), run.err
    return json.loads((out / "summary.json").read_text())


@pytest.mark.model
def test_an_auto_run_gets_a_report_with_a_section_per_segment(tmp_path, four_poses):
    _, landmarks = four_poses
    out = tmp_path / "auto"
    s = _score(out, landmarks, "--pose", "auto")
    html = _html(out)
    segs = s["segments"]
    assert len(segs) >= 4
    assert html.count('<section class="segment"') == len(segs)
    for k, seg in enumerate(segs, 1):
        side = f", {seg['side']} leg forward" if seg["side"] else ""
        assert f"{k}. {seg['pose_title']}{side} · {seg['start_s']:.1f}–{seg['end_s']:.1f} s" in html
    # Per segment its figures, holds, checks (with a value plot each) and worst moments, stills
    # taken from the input clip (a replay writes no annotated video).
    n_checks = sum(len(seg["checks"]) for seg in segs)
    assert html.count('<section class="card check"') == n_checks
    assert html.count("<svg") == n_checks + len(segs)  # a plot per check, a timeline per segment
    assert len(re.findall(r'<img src="data:image/jpeg;base64,', html)) >= len(segs)
    # The lunge was held on both sides: left against right, with the summary's own good-form times.
    assert "Kneeling lunge: left and right" in html
    lunges = [seg for seg in segs if seg["pose"] == "kneeling_lunge"]
    left = sum(seg["time_in_good_form_s"] for seg in lunges if seg["side"] == "left")
    right = sum(seg["time_in_good_form_s"] for seg in lunges if seg["side"] == "right")
    assert f"<td>time in good form</td><td class=\"n\">{left:.1f} s</td><td class=\"n\">{right:.1f} s</td>" in html
    # What to work on: the too-open lunge at the end. Its knee is also behind its ankle (the truth
    # says off, -0.50), and since the measure branch its front knee (true 119°, read 116-118°) is
    # near, not off: the off edge is widened by the check's measured ± 8° to 118° (docs/accuracy.md).
    # So the check off all the time leads, not the one near all the time.
    assert ("What to work on:</b> Kneeling lunge, knee over ankle: Your front knee is behind your ankle: "
            "shift your hips forward") in html
    # The report command writes the same page again (it refused such runs before).
    run = posecheck("report", str(out), "--force")
    assert run.code == 0, run.err
    assert _html(out).count('<section class="segment"') == len(segs)


@pytest.fixture(scope="module")
def routine_run(tmp_path_factory, four_poses) -> Path:
    """A ``score --routine --report`` run of the four-pose clip (replayed landmarks)."""
    _, landmarks = four_poses
    base = tmp_path_factory.mktemp("routine")
    mine = base / "routines"
    mine.mkdir()
    (mine / "r.yaml").write_text(ROUTINE)
    _score(base / "out", landmarks, "--routine", "lunge_both_then_frog", "--routines", str(mine))
    return base / "out"


@pytest.mark.model
def test_a_routine_run_gets_its_plan_against_what_was_done(routine_run):
    out = routine_run
    s = json.loads((out / "summary.json").read_text())
    html = _html(out)
    r = s["routine"]
    assert (r["holds_planned"], r["holds_skipped"]) == (4, 1)
    assert "<h1>Lunge both sides, then frog</h1>" in html
    assert "The plan against what was done" in html
    plan = html.split("The plan against what was done")[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"(skipped)?\">", plan)
    assert len(rows) == 4 and rows.count("skipped") == 1
    for k, st in enumerate(r["steps"], 1):
        assert f"<td>{k}</td><td>{st['title']}</td>" in plan
        if st["done"]:
            assert f"{st['time_in_good_form_s']:.1f} s" in plan
    assert html.count('<section class="segment"') == len(s["segments"])
    assert "step 1 of 4" in html  # a segment names the step it was
    assert f"{r['holds_done']} of {r['holds_planned']} holds done" in html


@pytest.mark.model
def test_a_one_pose_run_on_both_sides_shows_them_side_by_side(tmp_path, four_poses):
    _, landmarks = four_poses
    out = tmp_path / "pose"
    s = _score(out, landmarks, "--pose", "kneeling_lunge")
    assert {"left", "right"} <= set(s["sides"])
    html = _html(out)
    table = html.split("<h2>Left and right</h2>")[1].split("</table>")[0]
    sides = s["sides"]
    assert (f"<td>time in good form</td><td class=\"n\">{sides['left']['time_in_good_form_s']:.1f} s</td>"
            f"<td class=\"n\">{sides['right']['time_in_good_form_s']:.1f} s</td>") in table
    # The front knee: the 90° lunges both sides, and the 120° one on the left pulls the left median up.
    m = re.search(r"<td>front knee</td><td class=\"n\">(\d+)°, ok (\d+)%</td><td class=\"n\">(\d+)°, ok (\d+)%", table)
    assert m, table
    left, right = int(m.group(1)), int(m.group(3))
    assert 85 <= right <= 105 and left > right


def test_file_sizes_read_in_kilobytes_and_megabytes():
    from posecheck.render.report import file_size

    assert file_size(31_000) == "31 kB"  # was "0.0 MB"
    assert file_size(400) == "1 kB"
    assert file_size(2_450_000) == "2.5 MB"
    assert file_size(40 * 1024 * 1024) == "41.9 MB"


@pytest.mark.model
def test_the_report_names_a_small_video_in_kilobytes(scored):
    from posecheck.render.report import file_size

    size = (scored / "annotated.mp4").stat().st_size
    assert f"The annotated video ({file_size(size)}) is inside this page." in _html(scored)
    assert "0.0 MB" not in _html(scored)


def test_equally_bad_frames_give_moments_spread_over_the_hold():
    from posecheck.render.report.render import Frames, worst_moments

    t = np.arange(100) / 10.0  # 10 s at 10 fps, every frame scored 30
    frames = Frames(t=t, frame=t * 10, side=["left"] * 100, person=np.ones(100, dtype=bool),
                    in_pose=np.ones(100, dtype=bool), good_form=np.zeros(100, dtype=bool),
                    score=np.full(100, 30.0), values={}, status={}, camera_cue=[""] * 100)
    # The start, the middle and the end, not 0, 1 and 2 s.
    assert worst_moments(frames) == [0, 49, 99]


@needs_chromium
@pytest.mark.model
@pytest.mark.browser
def test_chromium_renders_a_routine_report(routine_run, tmp_path):
    from PIL import Image

    png = tmp_path / "routine.png"
    proc = _chrome(tmp_path, f"--screenshot={png}", "--window-size=1280,2400", (routine_run / "report.html").as_uri())
    assert png.exists() and png.stat().st_size > 20_000, proc.stderr[-2000:]
    pic = np.asarray(Image.open(png).convert("RGB"))
    assert pic.shape[:2] == (2400, 1280) and len(np.unique(pic.reshape(-1, 3), axis=0)) > 500
    # The plan's "held long enough" (ok green) and "too short" (off red) are on screen.
    assert ((np.abs(pic.astype(int) - (0x2E, 0x9D, 0x5B)).sum(axis=2)) < 30).sum() > 1000
    if os.environ.get("POSECHECK_UPDATE_DOCS"):
        shutil.copy(png, ROOT / "docs" / "routine_report_screenshot.png")
    dom = _chrome(tmp_path, "--dump-dom", (routine_run / "report.html").as_uri()).stdout
    summary = json.loads((routine_run / "summary.json").read_text())
    assert dom.count('class="segment"') == len(summary["segments"])
