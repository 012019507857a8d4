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
