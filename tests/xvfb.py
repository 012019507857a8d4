"""A real X server (Xvfb) for window tests, and screenshots of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest


def _free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


@contextmanager
def xvfb(width: int = 1280, height: int = 720):
    """Start Xvfb on a free display; yields the DISPLAY string (":N")."""
    exe = shutil.which("Xvfb")
    if exe is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb); .ci/run installs it")
    n = _free_display()
    proc = subprocess.Popen([exe, f":{n}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.05)
        yield f":{n}"
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
