"""A real X server (Xvfb) for window tests, and screenshots of it."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest


@contextmanager
def xvfb(width: int = 1280, height: int = 720):
    """Start Xvfb on a free display; yields the DISPLAY string (":N").

    Display numbers are drawn at random from a high range and retried when taken, so
    test runs going on at the same time (CI and a developer) do not collide.
    """
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb); .ci/run installs it")
    with _one_window_at_a_time():
        yield from _xvfb(exe, width, height)


@contextmanager
def _one_window_at_a_time():
    """One window test at a time in a test run, whichever pytest-xdist worker runs it.

    Beside other busy workers a live window (Qt on Xvfb) sometimes never painted a frame for a
    whole clip (the screen black while the loop judged 137 frames): the less else runs, the
    better. ``make test`` runs the window tests after the parallel part, one after another;
    this keeps any other parallel run of them to one at a time.
    """
    import fcntl
    import tempfile

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))
    with open(Path(tempfile.gettempdir()) / f"posecheck-window-tests-{run}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _xvfb(exe: str, width: int, height: int):  # noqa: ANN202 - a generator of the display
    rng = random.Random(os.getpid() ^ time.time_ns())
    proc = None
    display = ""
    for _ in range(20):
        n = rng.randint(200, 899)
        if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
            continue
        # -noreset: the server must not reset when the program's window closes while
        # the test is still taking screenshots.
        proc = subprocess.Popen([exe, f":{n}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
                                 "-noreset"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        display = f":{n}"
        for _ in range(100):
            if proc.poll() is not None or Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        if proc.poll() is None:
            try:
                screenshot(display)
                break
            except OSError:
                pass
        proc.terminate()
        proc.wait(timeout=10)
        proc = None
    if proc is None:
        pytest.fail("could not start Xvfb on any display")
    try:
        yield display
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def screenshot(display: str) -> np.ndarray:
    """The whole screen of ``display`` as a BGR array."""
    from PIL import ImageGrab

    img = ImageGrab.grab(xdisplay=display)
    return np.asarray(img)[:, :, ::-1].copy()


def env_with_display(display: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY",)}
    env["DISPLAY"] = display
    env["QT_QPA_PLATFORM"] = "xcb"
    return env
