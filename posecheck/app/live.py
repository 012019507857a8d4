"""The live practice loop: camera (or file) in, skeleton, one cue and a hold timer out.

Capture runs on its own thread (newest frame only); the model, the session (what to
judge, show and say: one pose, any pose or a routine, see :mod:`posecheck.session`) and
drawing run here; speech runs on its own thread. The session is the same one ``score``
uses, so a live session saves the same ``summary.json``.

Every key works in every state: the keyboard is read on every turn of the loop, whether
a frame arrived or not, paused or not. Paused time is not counted in the frames per second.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from posecheck.errors import CameraError, DisplayError
from posecheck.io.paths import sessions_root
from posecheck.io.sessions import new_session_dir
from posecheck.session.records import SessionFrame, Summary, summary_to_json
from posecheck.session.session import Mode, Session

WINDOW = "posecheck"
HELP_LINES = (
    "q / Esc   quit",
    "space     pause",
    "m         mirror on/off",
    "v         voice on/off",
    "f         frames per second on/off",
    "h         this help",
)
#: How long one turn of the loop waits for a key when no frame is due (seconds).
KEY_POLL_S = 0.015


@dataclass(frozen=True)
class LiveOptions:
    """How to run a live session.

    Attributes:
        camera: camera index when no ``source`` is given.
        source: a video file to drive the loop instead of a camera.
        headless: no window (use with ``record``).
        record: write what the window shows to this video.
        exit_after: end the session after this many seconds.
        mirror: flip like a mirror (None: on for cameras, off for files).
        voice: speak the cues.
        show_fps: show frames per second.
        sessions_dir: where the session's summary goes (None: the user data folder).
        realtime: play a ``source`` at its own speed like a camera (False: every frame).
        voice_dir: speak into WAV files in this folder instead of the speakers.
    """

    camera: int = 0
    source: Path | None = None
    headless: bool = False
    record: Path | None = None
    exit_after: float | None = None
    mirror: bool | None = None
    voice: bool = False
    show_fps: bool = False
    sessions_dir: Path | None = None
    realtime: bool = True
    voice_dir: Path | None = None


@dataclass
class LiveStats:
    """What the loop measured about itself.

    Attributes:
        frames: frames judged and shown.
        captured: frames the source delivered.
        dropped: frames replaced by a newer one before the loop took them.
        latency_ms: per frame, from capture to display (or to recording, headless).
        model_ms: per frame, time in the landmark model.
        own_ms: per frame, posecheck's own work (session: tracking, cues) excluding drawing.
        draw_ms: per frame, drawing the overlay.
        wall_s: how long the loop ran, paused time excluded.
        paused_s: how long it was paused.
    """

    frames: int = 0
    captured: int = 0
    dropped: int = 0
    latency_ms: list[float] = field(default_factory=list)
    model_ms: list[float] = field(default_factory=list)
    own_ms: list[float] = field(default_factory=list)
    draw_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    paused_s: float = 0.0
    _recent: list[float] = field(default_factory=list, repr=False)

    @property
    def fps(self) -> float:
        """Frames shown per second over the time the session ran (not paused)."""
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def fps_recent(self) -> float:
        """Frames shown per second over about the last second."""
        r = self._recent
        return (len(r) - 1) / (r[-1] - r[0]) if len(r) > 1 and r[-1] > r[0] else 0.0

    def note_frame(self, when: float) -> None:
        """Remember when a frame was shown (for :attr:`fps_recent`)."""
        self._recent.append(when)
        if len(self._recent) > 30:
            del self._recent[0]


@dataclass
class LiveResult:
    """The outcome of a session."""

    summary: Summary
    session_dir: Path
    stats: LiveStats
    complete: bool
    ended_by: str


def _check_display() -> None:
    if os.name == "posix" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise DisplayError("no display to open a window on",
                           "run with --headless --record OUT.mp4, or start it from a desktop session")


class _Voice:
    """Speaks cues and a routine's announcements; a cue never cuts an announcement short.

    The speaker keeps one waiting sentence and a newer one replaces it: a cue that came
    while "Now the other side" is still waiting or being said is not spoken.
    """

    def __init__(self, speaker, on: bool) -> None:  # noqa: ANN001
        self.speaker, self.on = speaker, on
        self._announcing = False

    @classmethod
    def start(cls, opts: LiveOptions) -> _Voice:
        if not (opts.voice or opts.voice_dir):
            return cls(None, False)
        from posecheck.io.voice import Speaker

        return cls(Speaker.create("file", out_dir=opts.voice_dir) if opts.voice_dir else Speaker.create(), True)

    def say(self, text: str | None, announcement: bool = False) -> None:
        if self.speaker is None or not self.on or not text:
            return
        if announcement:
            self._announcing = self.speaker.say(text)
        elif not self._announcing or self.speaker.wait_idle(0):
            self._announcing = False
            self.speaker.say(text)

    def toggle(self) -> None:
        """The ``v`` key: voice on or off (a speaker is made the first time)."""
        if self.speaker is None:
            from posecheck.io.voice import Speaker

            self.speaker = Speaker.create()
        self.on = not self.on

    def close(self, finish: bool = False) -> None:
        if self.speaker is not None:
            if finish:
                self.speaker.wait_idle(timeout=5.0)
            self.speaker.close()


class _Outputs:
    """The session's files, written as the frames come: landmarks, frames.csv, the recording."""

    def __init__(self, session_dir: Path, session: Session, header, record: Path | None,  # noqa: ANN001
                 fps: float, size: tuple[int, int]) -> None:
        from posecheck.io import frames_file
        from posecheck.io.atomic import AtomicCsv
        from posecheck.io.landmarks_file import LandmarksWriter

        self.layout = session.layout
        spec = session.judge.spec if self.layout == "pose" else None
        # Compressed: a live session runs for minutes; replays read it as they read landmarks.jsonl.
        self.landmarks = LandmarksWriter(session_dir / "landmarks.jsonl.gz", header)
        self.table = AtomicCsv(session_dir / "frames.csv", frames_file.header(self.layout, spec))
        self.recording = None
        if record is not None:
            from posecheck.io.media import VideoWriter

            self.recording = VideoWriter(record, fps, size)

    def frame(self, f: SessionFrame) -> None:
        from posecheck.io import frames_file

        self.table.write(frames_file.row(self.layout, f))

    def close(self) -> None:
        try:
            if self.recording is not None:
                self.recording.close(complete=True)
            self.landmarks.close()
            self.table.close()
        except BaseException:
            # e.g. a full disk while finishing the recording: leave no hidden partial files.
            self.abort()
            raise

    def abort(self) -> None:
        self.landmarks.abort()
        self.table.abort()
        if self.recording is not None:
            self.recording.abort()


class LiveLoop:
    """One live session: the source, the window, the session, the files and the voice.

    Args:
        mode: what to practise (a pose, any pose, a routine).
        opts: see :class:`LiveOptions`.
        estimator: a landmark estimator (default: the bundled model in video mode).
        frame_source: a :class:`~posecheck.io.camera.FrameSource` to use instead of the
            camera or ``opts.source`` (tests use it to make a camera fail).
    """

    def __init__(self, mode: Mode, opts: LiveOptions, estimator=None, frame_source=None) -> None:  # noqa: ANN001
        self.mode, self.opts = mode, opts
        if not opts.headless:
            _check_display()
        self.source = frame_source if frame_source is not None else self._open_source()
        self.mirror = opts.mirror if opts.mirror is not None else self.source.is_camera
        if estimator is None:
            from posecheck.estimators import create_estimator

            estimator = create_estimator("bundled", None, mode="video")
        self.estimator = estimator
        self.fps = self.source.fps or 30.0
        self.session = mode.session(fps=self.fps, live=True)
        self.session_dir = new_session_dir(sessions_root(opts.sessions_dir), self.session.name,
                                           opts.sessions_dir is not None)
        self.stats = LiveStats()
        self.paused = self.help_on = False
        self.show_fps = opts.show_fps
        self.window_open = False
        self._last: tuple | None = None  # (image, frame, session frame) of the last picture shown
        self._paused_at: float | None = None
        self.help_lines = (*HELP_LINES[:-1], *self.session.keys, HELP_LINES[-1])

    def _open_source(self):  # noqa: ANN202
        from posecheck.io.camera import CameraSource, FileSource

        if self.opts.source:
            return FileSource(self.opts.source, realtime=self.opts.realtime)
        return CameraSource(self.opts.camera)

    # -- the loop -----------------------------------------------------------------------------

    def run(self) -> LiveResult:
        """Run until the user quits, the source ends, ``exit_after`` passes or a routine is finished."""
        from posecheck.io.landmarks_file import LandmarksHeader
        from posecheck.io.signals import StopOnSignal

        opts, source = self.opts, self.source
        width, height = source.size
        header = LandmarksHeader(input=str(opts.source) if opts.source else f"camera:{opts.camera}",
                                 width=width, height=height, fps=source.fps, estimator=self.estimator.name)
        outputs = _Outputs(self.session_dir, self.session, header, opts.record, self.fps, (width, height))
        self.voice = _Voice.start(opts)
        ended_by, complete, error = "source ended", True, None
        try:
            self._open_window(width, height)
            with source, StopOnSignal() as stop:
                start = time.perf_counter()
                while True:
                    ended = self._turn(stop, start, outputs)
                    if ended is not None:
                        ended_by = ended
                        break
                self._stop_pause()
                self.stats.wall_s = time.perf_counter() - start - self.stats.paused_s
                for f in self.session.flush():
                    outputs.frame(f)
                self.stats.captured = source.captured
                self.stats.dropped = source.slot.dropped
            if ended_by in ("interrupted", "camera lost"):
                complete = False
            if ended_by == "camera lost":
                error = CameraError(source.slot.error, f"what was measured is saved in {self.session_dir}")
        except BaseException:
            outputs.abort()
            raise
        finally:
            # The last words of a finished routine are heard before the window closes.
            self.voice.close(finish=ended_by == "routine finished")
            self._close_window()
            self.estimator.close()
        outputs.close()
        return self._finish(header, complete, ended_by, error)

    def _turn(self, stop, start: float, outputs: _Outputs) -> str | None:  # noqa: ANN001
        """One turn of the loop: a frame if one is due, then the keyboard. Why the session ends, if it does."""
        opts, source = self.opts, self.source
        if stop.signal is not None:
            return "interrupted"
        if opts.exit_after is not None and time.perf_counter() - start - self._paused_total() >= opts.exit_after:
            return "time limit"
        item = source.slot.take(timeout=0.0 if self.window_open else 0.05)
        if item is None and source.slot.ended:
            return "camera lost" if source.slot.error else "source ended"
        shown = False
        if item is not None and not self.paused:
            self._frame(item, outputs)
            shown = True
            if self.session.finished:
                return "routine finished"
        if self.window_open:
            import cv2

            key = cv2.waitKey(1 if shown else max(1, round(KEY_POLL_S * 1000))) & 0xFF
            if key != 255 and self._key(chr(key) if key != 27 else "esc") == "quit":
                return "quit"
        return None

    def _frame(self, item, outputs: _Outputs) -> None:  # noqa: ANN001 - a Captured
        t0 = time.perf_counter()
        raw = self.estimator.detect(item.image, item.t)
        t1 = time.perf_counter()
        frame = raw.to_frame()
        outputs.landmarks.write(item.seq, raw)
        done = self.session.push(frame, item.seq)
        for f in done:
            outputs.frame(f)
            self.voice.say(f.say, f.announcement)
        t2 = time.perf_counter()
        self._draw_s = 0.0
        if done:
            self._last = (item.image, frame, done[-1])
            shown = self._show()
            if outputs.recording is not None and shown is not None:
                outputs.recording.write(shown)
        t3 = time.perf_counter()
        s = self.stats
        s.frames += 1
        s.latency_ms.append((t3 - item.captured_at) * 1000)
        s.model_ms.append((t1 - t0) * 1000)
        s.own_ms.append((t2 - t1) * 1000)
        s.draw_ms.append(self._draw_s * 1000)
        s.note_frame(t3)

    _draw_s = 0.0

    # -- the window ---------------------------------------------------------------------------

    def _open_window(self, width: int, height: int) -> None:
        if self.opts.headless:
            return
        import cv2

        try:
            cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
            cv2.resizeWindow(WINDOW, width, height)
            cv2.moveWindow(WINDOW, 0, 0)
            self.window_open = True
        except cv2.error as exc:
            raise DisplayError(f"cannot open a window ({str(exc).strip().splitlines()[-1]})",
                               "run with --headless --record OUT.mp4") from None

    def _close_window(self) -> None:
        if self.window_open:
            import cv2

            cv2.destroyWindow(WINDOW)
            cv2.waitKey(1)
            self.window_open = False

    def _note(self, session_note: str) -> str:
        """The small line under the title: the session's note, then the loop's own state."""
        own = ["paused: space to go on"] if self.paused else []
        if self.mirror:
            own.append("mirrored")
        if self.voice.speaker is not None:
            own.append("voice on" if self.voice.on else "voice off")
        return "  ·  ".join(part for part in (session_note, ", ".join(own)) if part)

    def _show(self):  # noqa: ANN202 - the picture shown (BGR), or None before the first frame
        """Draw the last frame with the current settings and put it in the window."""
        if self._last is None:
            return None
        from posecheck.render.overlay import OverlayInfo, draw_overlay

        image, frame, f = self._last
        info = replace(OverlayInfo.of(f), fps=self.stats.fps_recent if self.show_fps else None,
                       note=self._note(f.note), help_lines=self.help_lines if self.help_on else ())
        t = time.perf_counter()
        shown = draw_overlay(image, frame, f.verdict, info, mirror=self.mirror)
        self._draw_s = time.perf_counter() - t
        if self.window_open:
            import cv2

            cv2.imshow(WINDOW, shown)
        return shown

    # -- keys ---------------------------------------------------------------------------------

    def _key(self, key: str) -> str | None:
        """Handle one key, in any state; ``quit`` when the session should end."""
        if key in ("q", "esc"):
            return "quit"
        if key == " ":
            if self.paused:
                self._stop_pause()
            else:
                self.paused, self._paused_at = True, time.perf_counter()
        elif key == "m":
            self.mirror = not self.mirror
        elif key == "h":
            self.help_on = not self.help_on
        elif key == "f":
            self.show_fps = not self.show_fps
        elif key == "v":
            self.voice.toggle()
        elif key in ("s", "n"):
            self.voice.say(self.session.key(key), announcement=True)
        else:
            return None
        self._show()  # the change shows at once, also while paused
        return None

    def _stop_pause(self) -> None:
        if self.paused and self._paused_at is not None:
            self.stats.paused_s += time.perf_counter() - self._paused_at
        self.paused, self._paused_at = False, None

    def _paused_total(self) -> float:
        now = time.perf_counter()
        return self.stats.paused_s + (now - self._paused_at if self._paused_at is not None else 0.0)

    # -- the end ------------------------------------------------------------------------------

    def _finish(self, header, complete: bool, ended_by: str, error: CameraError | None) -> LiveResult:  # noqa: ANN001
        from posecheck.io.atomic import write_json_atomic
        from posecheck.version import __version__

        summary = self.session.summary(header.input or "", complete, {
            "estimator": self.estimator.name, "posecheck_version": __version__, "mode": "live",
            "ended_by": ended_by, "frames_captured": self.stats.captured, "frames_dropped": self.stats.dropped})
        write_json_atomic(self.session_dir / "summary.json", summary_to_json(summary))
        result = LiveResult(summary, self.session_dir, self.stats, complete, ended_by)
        if error is not None:
            error.result = result
            raise error
        return result


def run_live(mode: Mode, opts: LiveOptions, estimator=None, frame_source=None) -> LiveResult:  # noqa: ANN001
    """Run one live session (see :class:`LiveLoop`)."""
    return LiveLoop(mode, opts, estimator, frame_source).run()


__all__ = ["HELP_LINES", "LiveLoop", "LiveOptions", "LiveResult", "LiveStats", "run_live"]
