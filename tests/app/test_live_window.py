"""``posecheck live`` in a real window under Xvfb: its keys pressed with xdotool, its timer, its end.

Pause must release however often space is pressed, every key must work while paused, and the
frames per second printed at the end must leave the paused time out. The timer counts good form
only, and when the video ends the window stays with the session's summary until a key.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from posecheck.judge.status import Status

from ..cli_helpers import ROOT
from ..conftest import join_clips
from ..media_helpers import status_colour_present
from ..xvfb import env_with_display, screenshot, xvfb

pytestmark = [pytest.mark.model, pytest.mark.window]

W, H = 960, 540  # the sample clips' size; the window sits at the screen's top-left


class Window:
    """The live window of a ``posecheck live`` process: keys in, screenshots out.

    Every space pressed is timed, so the test knows how long the session was paused.
    """

    def __init__(self, display: str, proc: subprocess.Popen) -> None:
        self.display, self.env, self.proc = display, env_with_display(display), proc
        self.id = ""
        self.spaces: list[float] = []
        self.origin = (0, 0)  # where the window's picture is on the screen

    def wait_for_frames(self, timeout: float = 120.0) -> None:
        """Until the window exists and shows the video (the model has warmed up)."""
        t0 = time.time()
        while time.time() - t0 < timeout and self.proc.poll() is None:
            found = subprocess.run(["xdotool", "search", "--name", "^posecheck$"], env=self.env,
                                   capture_output=True, text=True).stdout.split()
            if found:
                # live moves its window to the top-left, but an X server without a window
                # manager may map it elsewhere first (seen beside three other test workers: the
                # top-left stayed black for the whole clip): the picture is looked for where it is.
                self.origin = self._where(found[-1])
            if found and (self.shot().max(axis=2) > 0).mean() > 0.5 and self.moving(0.5):
                self.id = found[-1]
                return
            time.sleep(0.2)
        out, err = self.proc.communicate(timeout=30)
        pytest.fail(f"the window never showed the video ({self.proc.returncode}): {out[-1000:]} {err[-2000:]}")

    def _where(self, window: str) -> tuple[int, int]:
        geometry = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window], env=self.env,
                                  capture_output=True, text=True).stdout
        pos = dict(line.split("=", 1) for line in geometry.split() if "=" in line)
        try:
            return max(int(pos["X"]), 0), max(int(pos["Y"]), 0)
        except (KeyError, ValueError):
            return self.origin

    def window_shown(self) -> bool:
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^posecheck$"], env=self.env,
                               capture_output=True, text=True).stdout.split()
        return bool(found)

    def key(self, name: str) -> None:
        # xdotool warns about the focus of a server with no window manager; the key still goes.
        subprocess.run(["xdotool", "key", "--window", self.id, name], env=self.env, check=True,
                       stderr=subprocess.DEVNULL)
        if name == "space":
            self.spaces.append(time.time())

    @property
    def paused(self) -> bool:
        return len(self.spaces) % 2 == 1

    def paused_s(self, until: float) -> float:
        """Seconds paused so far (up to ``until`` for a pause still going on)."""
        ends = [*self.spaces[1::2], until] if self.paused else self.spaces[1::2]
        return sum(b - a for a, b in zip(self.spaces[::2], ends))

    def shot(self) -> np.ndarray:
        x, y = self.origin
        return screenshot(self.display)[y:y + H, x:x + W].astype(np.int16)

    def moving(self, seconds: float) -> bool:
        """Whether new frames came within ``seconds`` (the picture changed)."""
        first = self.shot()
        t0 = time.time()
        while time.time() - t0 < seconds:
            time.sleep(0.05)
            if np.abs(self.shot() - first).mean() > 0.2:  # H.264 noise alone moves it by ~2
                return True
        return False


def _live(display: str, tmp_path: Path, clip: Path, *args: str) -> Window:
    proc = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "live", "--source", str(clip), *args, "--sessions",
         str(tmp_path / "sessions"), "--no-history", "--voice-to", str(tmp_path / "voice")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env_with_display(display) | {"POSECHECK_HOME": str(tmp_path / "home")})
    win = Window(display, proc)
    win.wait_for_frames()
    return win


def _summary_panel(shot: np.ndarray) -> bool:
    """Whether the session's summary is on screen (a dark panel over the middle of the picture)."""
    return bool((shot[H // 4:H // 2, W // 4:3 * W // 4].mean(axis=2) < 70).mean() > 0.5)


def _session(tmp_path: Path) -> Path:
    (session,) = (tmp_path / "sessions").iterdir()
    return session


@pytest.fixture(scope="module")
def long_lunge(tmp_path_factory) -> Path:
    """The left-leg lunge looped to a minute: the video must not end while keys are tried."""
    clip = tmp_path_factory.mktemp("keys") / "lunge a minute.mp4"
    join_clips(clip, ["lunge_side_90_left"] * 20)
    return clip


def test_pause_releases_and_every_key_works_while_paused(tmp_path, long_lunge):
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install xdotool); .ci/run installs it")
    with xvfb() as display:
        win = _live(display, tmp_path, long_lunge, "--pose", "kneeling_lunge")
        # Space pauses: no new frame comes.
        win.key("space")
        time.sleep(0.3)
        assert not win.moving(1.0), "space did not pause"
        # Space ten more times, 0.4 s apart: it releases and pauses in turn, and never sticks.
        for _ in range(10):
            win.key("space")
            time.sleep(0.4)
        assert win.paused
        assert not win.moving(1.0), "eleven presses should leave it paused"
        # The last release: frames keep coming.
        win.key("space")
        assert win.moving(3.0), "the frames did not come back after the last release"
        time.sleep(1.0)
        assert win.moving(1.0)

        # Every key while paused: the picture answers at once, and stays paused.
        win.key("space")
        time.sleep(0.4)
        before = win.shot()
        assert not win.moving(0.8)
        for name in ("m", "f", "h", "v"):
            win.key(name)
            time.sleep(0.5)
            now = win.shot()
            changed = np.abs(now - before).max(axis=2) > 60
            # 'v' changes only one word of the note under the title ("voice on" -> "voice off").
            assert changed.sum() > 25, f"'{name}' changed nothing while paused"
            if name == "v":
                assert changed[:80].sum() == changed.sum()
            assert not win.moving(0.6), f"'{name}' ended the pause"
            before = now
        for name in ("h", "m"):  # help off, mirror back
            win.key(name)
        win.key("s")  # switch the side assessed: the frames after the pause are judged as right-leg forward
        time.sleep(0.5)
        assert not win.moving(0.6)
        win.key("space")
        assert win.moving(3.0)
        # Long enough for a side to be named again. After a pause the sides are named once the
        # view shows which leg is which again (posecheck.track.identity: five frames and half a
        # second of evidence, after a second of doubt): 1.5 s was enough on a quiet machine, but
        # beside three other test workers the loop runs at 3-5 fps and no frame after the pause
        # named a side (the old xfail, "the old side was named": it was the last one named).
        time.sleep(5.0)
        # q while paused ends the session.
        win.key("space")
        time.sleep(0.4)
        last_pause = win.spaces[-1]
        win.key("q")
        out, err = win.proc.communicate(timeout=60)
        paused_between = win.paused_s(last_pause)  # the pauses between frames, not the one at the end
    assert win.proc.returncode == 0, err
    session = _session(tmp_path)
    summary = json.loads((session / "summary.json").read_text())
    assert summary["ended_by"] == "quit"
    rows = [line.split(",") for line in (session / "frames.csv").read_text().splitlines()[1:]]
    # 's' while paused took effect: the frames after it were judged with the right leg in front.
    # (A frame names no side until the view shows which leg is which, posecheck.track.identity,
    # and live, with MediaPipe's smoothing, a few frames may name none again: issue 18. So the
    # first and the last side named are compared.)
    # The clip is a left-leg lunge, so a frame naming the right leg can only come from 's'; and once
    # switched it stays switched. (Beside three other test workers no frame before the pause named a
    # side at all: the loop ran at a few frames a second, with gaps that restart the evidence.)
    named = "".join(r[2][0] for r in rows if r[2])
    assert re.fullmatch(r"l*r+", named), named
    # The printed rate leaves the pauses out. The clip plays in real time, pauses included (a
    # camera does not stop either), so the span of the frames' own times is the loop's running
    # time plus the pauses between them.
    m = re.search(r"(\d+) frames in ([\d.]+) s \(([\d.]+) fps\)", out)
    frames, wall, fps = int(m.group(1)), float(m.group(2)), float(m.group(3))
    assert frames == len(rows) and fps == pytest.approx(frames / wall, rel=0.05)
    span = float(rows[-1][1]) - float(rows[0][1])
    assert paused_between > 8.0
    # Slack: the model's warm-up before the first frame (up to ~2 s on a busy machine) is
    # running time that the frames' span does not hold.
    assert span - paused_between - 0.5 <= wall <= span - paused_between + 2.5, (wall, span, paused_between)


def test_n_and_esc_work_while_paused(tmp_path):
    """In a routine, n skips the hold while paused (the next step is announced), and Esc quits."""
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install xdotool); .ci/run installs it")
    clip = tmp_path / "lunges.mp4"
    # A long clip (72 s), although Esc ends the run in seconds: under load the model's warm-up
    # and the window's first frames can take a good part of a shorter clip.
    join_clips(clip, ["lunge_side_90_left"] * 24)
    mine = tmp_path / "routines"
    mine.mkdir()
    (mine / "two.yaml").write_text(
        "id: lunge_then_frog\ntitle: Lunge then frog\nsource: ['000']\nrest_s: 0\nsteps:\n"
        "  - {pose: kneeling_lunge, hold: {seconds: 20}, sides: left}\n"
        "  - {pose: frog, hold: {seconds: 20}}\n")
    with xvfb() as display:
        win = _live(display, tmp_path, clip, "--routine", "lunge_then_frog", "--routines", str(mine))
        win.key("space")
        time.sleep(0.4)
        assert not win.moving(1.0)
        win.key("n")
        time.sleep(1.5)
        assert not win.moving(0.5)
        win.key("Escape")
        _, err = win.proc.communicate(timeout=60)
    assert win.proc.returncode == 0, err
    summary = json.loads((_session(tmp_path) / "summary.json").read_text())
    assert summary["ended_by"] == "quit"
    spoken = (tmp_path / "voice" / "spoken.txt").read_text()
    assert "Next: Frog" in spoken
    lunge, frog = summary["routine"]["steps"]
    assert lunge["done"] and not lunge["held_long_enough"]  # skipped by n, short of its 20 s


def test_the_timer_counts_good_form_and_the_window_waits_at_the_end(tmp_path):
    """The too-open lunge: the knee is red, so the timer stays at 0 s however long the pose is held;
    when the clip ends the window keeps the session's summary on screen until a key."""
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install xdotool); .ci/run installs it")
    clip = tmp_path / "open lunge.mp4"
    # 15 s: frames to see on a busy machine too (with 9 s, beside three other test workers, the clip
    # and the end's 8 s wait were over before the window was first seen showing the video).
    join_clips(clip, ["lunge_side_120_left"] * 5)
    with xvfb() as display:
        win = _live(display, tmp_path, clip, "--pose", "kneeling_lunge")
        red = []
        # Until the end's summary (a dark panel mid-screen) is up. Not "until the picture stands
        # still": on a busy machine the player can stall for seconds mid-clip.
        deadline = time.time() + 240
        while time.time() < deadline and win.proc.poll() is None:
            shot = win.shot().astype(np.uint8)
            if _summary_panel(shot):
                break
            if status_colour_present(shot, Status.OFF, min_pixels=60):
                red.append(shot)
            time.sleep(0.1)
        assert _summary_panel(win.shot()), "the window never showed the session's summary"
        assert red, "the knee was never red"
        # The timer's bar (top right, under "good form 0 s / 30 s") has no white fill: no good form.
        for shot in red:
            bar = shot[28:44, W - 260:W - 8]
            assert not ((bar.min(axis=2) > 235).sum() > 20), "the timer counted a hold with the knee off"
        if os.environ.get("POSECHECK_UPDATE_DOCS"):
            import cv2

            cv2.imwrite(str(ROOT / "docs" / "live_timer_screenshot.png"), red[len(red) // 2])
        # The clip is over, and the window is still there with the summary: a dark panel mid-screen.
        time.sleep(2.0)
        assert win.proc.poll() is None, "the window closed the moment the video ended"
        assert _summary_panel(win.shot())
        assert win.window_shown()
        win.key("q")  # any key closes it (then the report is written)
        t = time.time()
        while win.window_shown() and time.time() - t < 10:
            time.sleep(0.1)
        assert time.time() - t < 3.0, "the window did not close on a key"
        out, err = win.proc.communicate(timeout=60)
    assert win.proc.returncode == 0, err
    summary = json.loads((_session(tmp_path) / "summary.json").read_text())
    assert summary["ended_by"] == "source ended"
    assert summary["time_in_good_form_s"] == 0.0 and summary["time_in_pose_s"] > 0.5
    assert "good form 0.0 s" in out
    # Since the measure branch a value within a check's measured ± (pose_specs/accuracy.json) of the
    # near band is never "off": the front knee at about 117° (27° from 90°, near band 20° + 8° ±) is
    # near, and the knee well behind the ankle (-0.47, near band 0.25 + 0.09 ±) is off all the time:
    # that is what to work on first.
    assert "what to work on: knee over ankle: Your front knee is behind your ankle: shift your hips forward " \
           "until the knee is over the ankle." in out
