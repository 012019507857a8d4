"""A real Chromium driven by Playwright against a real ``posecheck serve``, with a fake camera.

Chromium is Debian's (``/usr/bin/chromium``); Playwright's Python package drives it as the
executable (``playwright install`` is never run: it downloads). The camera is Chromium's
fake capture device playing a sample clip converted to ``.y4m``, looped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Without the networking flags Chromium tries to reach Google's servers, and this machine refuses.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-default-apps", "--mute-audio"]


def chromium() -> str | None:
    """The system's Chromium, if there is one."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _playwright_missing() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return True
    return False


needs_browser = pytest.mark.skipif(
    chromium() is None or _playwright_missing(),
    reason="needs Chromium (Debian: apt-get install chromium) and Playwright's Python package (the test extras)")


def to_y4m(clip: Path, out: Path, repeat: int = 1) -> Path:
    """``clip`` as an uncompressed 4:2:0 ``.y4m`` (what Chromium's fake camera plays), ``repeat`` times over."""
    import av

    with av.open(str(clip)) as c:
        stream = c.streams.video[0]
        rate = stream.average_rate
        frames = [f.reformat(format="yuv420p").to_ndarray() for f in c.decode(video=0)]
    h, w = frames[0].shape[0] * 2 // 3, frames[0].shape[1]
    with open(out, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{rate.numerator}:{rate.denominator} Ip A1:1 C420jpeg\n".encode())
        for _ in range(repeat):
            for frame in frames:
                f.write(b"FRAME\n")
                f.write(frame.tobytes())
    return out


class Served:
    """A running ``posecheck serve``: its address and what it has printed so far."""

    def __init__(self, proc: subprocess.Popen, url: str, first_line: str) -> None:
        self.proc, self.url = proc, url
        self._out, self._err = [first_line], []
        self.code: int | None = None
        self._readers = [threading.Thread(target=self._read, args=(proc.stdout, self._out), daemon=True),
                         threading.Thread(target=self._read, args=(proc.stderr, self._err), daemon=True)]
        for r in self._readers:
            r.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:  # noqa: ANN001
        for line in stream:
            into.append(line)

    @property
    def out(self) -> str:
        return "".join(self._out)

    @property
    def err(self) -> str:
        return "".join(self._err)

    @property
    def origin(self) -> str:
        m = re.match(r"(http://[^/]+)", self.url)
        return m.group(1)

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])

    def wait_err(self, text: str, timeout_s: float = 60) -> str:
        """Wait until the server has printed ``text`` on stderr; all it printed there."""
        end = time.monotonic() + timeout_s
        while text not in self.err:
            if time.monotonic() > end:
                raise AssertionError(f"the server never printed {text!r}: {self.err}")
            time.sleep(0.1)
        return self.err

    def stop(self, timeout: float = 60) -> None:
        """Ctrl-C, as a person stops it; waits for the running session to be saved."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for r in self._readers:
            r.join(timeout=10)
        self.code = self.proc.returncode


@contextmanager
def serve(*args: str, env: dict | None = None, port: int = 0):
    """Start ``posecheck serve --no-browser --port PORT ARGS``; yields a :class:`Served`, stopped on exit."""
    full_env = {**os.environ, "COLUMNS": "160", "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "posecheck", "serve", "--no-browser", "--port", str(port), *args],
                            cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()
    m = re.search(r"open (http://\S+)", first)
    if m is None:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"posecheck serve did not start: {first}{out}{err}")
    served = Served(proc, m.group(1), first)
    try:
        yield served
    finally:
        served.stop()


@contextmanager
def browser(video: Path | None = None, camera: bool = True, allow_camera: bool = True):
    """A headless Chromium context (a fresh profile) with a fake camera playing ``video``.

    Args:
        video: the ``.y4m`` the fake camera plays (None: Chromium's own test pattern).
        camera: give Chromium a (fake) camera at all.
        allow_camera: grant the camera without asking (False: the request is refused).
    """
    from playwright.sync_api import sync_playwright

    args = list(CHROMIUM_FLAGS)
    if camera:
        args.append("--use-fake-device-for-media-stream")
        if video is not None:
            args.append(f"--use-file-for-fake-video-capture={video}")
    if allow_camera:
        args.append("--use-fake-ui-for-media-stream")
    else:
        args.append("--deny-permission-prompts")
    with tempfile.TemporaryDirectory(prefix="posecheck-chromium-") as profile, sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=chromium(), headless=True, args=args,
                                                   viewport={"width": 1400, "height": 660})
        try:
            yield ctx
        finally:
            ctx.close()


def wait_for(page, js: str, timeout_s: float = 60, what: str = "") -> object:
    """Poll ``js`` in the page until it is truthy; its value (fails with ``what`` after ``timeout_s``)."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = page.evaluate(js)
        if value:
            return value
        page.wait_for_timeout(200)
    state = page.evaluate("JSON.stringify({phase: document.body.dataset.phase, "
                          "notices: window.posecheck && window.posecheck.stats.notices})")
    raise AssertionError(f"timed out waiting for {what or js} ({state})")
