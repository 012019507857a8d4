"""The live practice loop: camera (or file) in, skeleton, one cue and a hold timer out.

Capture runs on its own thread (newest frame only); the model, the coach (what to
judge, show and say: one pose, any pose or a routine, see :mod:`posecheck.session.coach`) and
drawing run here; speech runs on its own thread. The coaches use the same
:class:`~posecheck.track.tracker.PoseTracker` and :class:`~posecheck.session.summary.Recorder` as
``score``, so a live session saves the same ``summary.json``.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.errors import CameraError, DisplayError, OutputError, PosecheckError
from posecheck.specs.models import PoseSpec

if TYPE_CHECKING:
    from posecheck.session.coach import Coach

WINDOW = "posecheck"
HELP_LINES = (
    "q / Esc   quit",
    "space     pause",
    "m         mirror on/off",
    "v         voice on/off",
    "f         frames per second on/off",
    "h         this help",
)


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
        side: ``auto``, ``left`` or ``right``.
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
    side: str = "auto"
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
        own_ms: per frame, posecheck's own work (tracker, cues) excluding drawing.
        draw_ms: per frame, drawing the overlay.
        wall_s: how long the loop ran.
    """

    frames: int = 0
    captured: int = 0
    dropped: int = 0
    latency_ms: list[float] = field(default_factory=list)
    model_ms: list[float] = field(default_factory=list)
    own_ms: list[float] = field(default_factory=list)
    draw_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    _recent: list[float] = field(default_factory=list, repr=False)

    @property
    def fps(self) -> float:
        """Frames shown per second over the whole session."""
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

    summary: dict
    session_dir: Path
    stats: LiveStats
    complete: bool
    ended_by: str


def sessions_root(explicit: Path | None = None) -> Path:
    """Where live sessions are saved: ``--sessions``, ``$POSECHECK_HOME/sessions`` or the user data folder."""
    if explicit is not None:
        return explicit
    home = os.environ.get("POSECHECK_HOME")
    if home:
        return Path(home) / "sessions"
    import platformdirs

    return Path(platformdirs.user_data_dir("posecheck", appauthor=False)) / "sessions"


def _check_display() -> None:
    if os.name == "posix" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise DisplayError("no display to open a window on",
                           "run with --headless --record OUT.mp4, or start it from a desktop session")


class _Stop:
    """SIGINT/SIGTERM end the session cleanly (the summary is still saved)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._old: dict[int, object] = {}

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:  # noqa: ANN001
        self.signal = signum

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)  # type: ignore[arg-type]


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


def _note(coach_note: str, mirror: bool, voice: _Voice) -> str:
    """The small line under the title: the coach's note, then the loop's own state."""
    own = ["mirrored"] if mirror else []
    if voice.speaker is not None:
        own.append("voice on" if voice.on else "voice off")
    return "  ·  ".join(part for part in (coach_note, ", ".join(own)) if part)


def run_live(spec: PoseSpec | Coach, opts: LiveOptions, estimator=None, frame_source=None) -> LiveResult:
    """Run one live session until the user quits, the source ends, ``exit_after`` passes
    or a routine is finished.

    Args:
        spec: the pose to practise, or a :class:`~posecheck.session.coach.Coach` for another
            mode (:class:`~posecheck.session.coach.AutoCoach`: whichever pose the person is in;
            :class:`~posecheck.session.coach.RoutineCoach`: a routine, hold by hold).
        opts: see :class:`LiveOptions`.
        estimator: a landmark estimator (default: the bundled model in video mode).
        frame_source: a :class:`~posecheck.io.camera.FrameSource` to use instead of the
            camera or ``opts.source`` (tests use it to make a camera fail).
    """
    import cv2

    from posecheck.io.atomic import AtomicCsv, write_json_atomic
    from posecheck.io.camera import CameraSource, FileSource
    from posecheck.io.landmarks_file import LandmarksHeader, LandmarksWriter
    from posecheck.render.overlay import draw_overlay
    from posecheck.session.coach import Coach, SingleCoach

    coach = spec if isinstance(spec, Coach) else SingleCoach(spec, opts.side)

    if not opts.headless:
        _check_display()
    if frame_source is not None:
        source = frame_source
    elif opts.source:
        source = FileSource(opts.source, realtime=opts.realtime)
    else:
        source = CameraSource(opts.camera)
    mirror = opts.mirror if opts.mirror is not None else source.is_camera
    if estimator is None:
        from posecheck.estimators import create_estimator

        estimator = create_estimator("bundled", None, mode="video")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    root = sessions_root(opts.sessions_dir)
    session_dir = root / f"{stamp}-{coach.name}"
    n = 1
    while session_dir.exists():
        n += 1
        session_dir = root / f"{stamp}-{coach.name}-{n}"
    try:
        session_dir.mkdir(parents=True)
    except OSError as exc:
        where = "--sessions" if opts.sessions_dir is not None else "POSECHECK_HOME"
        raise OutputError(f"cannot create the session folder {session_dir} ({exc.strerror or exc})",
                          f"set {where} to a writable folder") from None
    width, height = source.size
    header = LandmarksHeader(input=str(opts.source) if opts.source else f"camera:{opts.camera}",
                             width=width, height=height, fps=source.fps, estimator=estimator.name)
    landmarks = LandmarksWriter(session_dir / "landmarks.jsonl", header)
    coach.begin(source.fps or 30.0)
    table = AtomicCsv(session_dir / "frames.csv", coach.csv_header)
    voice = _Voice.start(opts)
    help_lines = (*HELP_LINES[:-1], *coach.keys, HELP_LINES[-1])
    writer = None
    stats = LiveStats()
    paused = help_on = False
    show_fps = opts.show_fps
    ended_by = "source ended"
    complete = True
    error: PosecheckError | None = None
    window_open = False
    last_shown = None
    try:
        if not opts.headless:
            try:
                cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL)
                cv2.resizeWindow(WINDOW, width, height)
                cv2.moveWindow(WINDOW, 0, 0)
                window_open = True
            except cv2.error as exc:
                raise DisplayError(f"cannot open a window ({str(exc).strip().splitlines()[-1]})",
                                   "run with --headless --record OUT.mp4") from None
        if opts.record:
            from posecheck.io.media import VideoWriter

            writer = VideoWriter(opts.record, source.fps or 30.0, (width, height))
        with source, _Stop() as stop:
            start = time.perf_counter()
            last_t = -math.inf
            while True:
                if stop.signal is not None:
                    ended_by, complete = "interrupted", False
                    break
                if opts.exit_after is not None and time.perf_counter() - start >= opts.exit_after:
                    ended_by = "time limit"
                    break
                item = source.slot.take(timeout=0.05 if not paused else 0.0)
                if item is None:
                    if source.slot.ended:
                        if source.slot.error:
                            complete = False
                            ended_by = "camera lost"
                            error = CameraError(source.slot.error,
                                                f"what was measured is saved in {session_dir}")
                        break
                    if window_open:
                        key = cv2.waitKey(1) & 0xFF
                        if key in (ord("q"), 27):
                            ended_by = "quit"
                            break
                    continue
                if paused:
                    # Keep showing the last picture; ignore new frames until unpaused.
                    item = None
                if item is not None and item.t > last_t:
                    last_t = item.t
                    t0 = time.perf_counter()
                    raw = estimator.detect(item.image, item.t)
                    t1 = time.perf_counter()
                    frame = raw.to_frame()
                    out = coach.judge(frame, item.seq)
                    landmarks.write(item.seq, raw)
                    table.write(out.row)
                    voice.say(out.say, out.announcement)
                    t2 = time.perf_counter()
                    info = replace(out.info, fps=stats.fps_recent if show_fps else None,
                                   note=_note(out.info.note, mirror, voice),
                                   help_lines=help_lines if help_on else ())
                    shown = draw_overlay(item.image, frame, out.verdict, info, mirror=mirror)
                    t3 = time.perf_counter()
                    last_shown = shown
                    if window_open:
                        cv2.imshow(WINDOW, shown)
                    if writer is not None:
                        writer.write(shown)
                    done = time.perf_counter()
                    stats.frames += 1
                    stats.latency_ms.append((done - item.captured_at) * 1000)
                    stats.model_ms.append((t1 - t0) * 1000)
                    stats.own_ms.append((t2 - t1) * 1000)
                    stats.draw_ms.append((t3 - t2) * 1000)
                    stats.note_frame(done)
                    if coach.finished:
                        ended_by = "routine finished"
                        break
                if window_open:
                    key = cv2.waitKey(1) & 0xFF
                    if key in (ord("q"), 27):
                        ended_by = "quit"
                        break
                    if key == ord(" "):
                        paused = not paused
                    elif key == ord("m"):
                        mirror = not mirror
                    elif key == ord("h"):
                        help_on = not help_on
                    elif key == ord("f"):
                        show_fps = not show_fps
                    elif key == ord("v"):
                        voice.toggle()
                    elif key in (ord("s"), ord("n")):
                        voice.say(coach.key(chr(key)), announcement=True)
                    if paused and last_shown is not None:
                        cv2.imshow(WINDOW, last_shown)
            stats.wall_s = time.perf_counter() - start
            stats.captured = source.captured
            stats.dropped = source.slot.dropped
    except BaseException:
        landmarks.abort()
        table.abort()
        if writer is not None:
            writer.abort()
        raise
    finally:
        # The last words of a finished routine are heard before the window closes.
        voice.close(finish=ended_by == "routine finished")
        if window_open:
            cv2.destroyWindow(WINDOW)
            cv2.waitKey(1)
        estimator.close()
    try:
        if writer is not None:
            writer.close(complete=True)
        landmarks.close()
        table.close()
    except BaseException:
        # e.g. a full disk while finishing the recording: leave no hidden partial files.
        landmarks.abort()
        table.abort()
        raise
    summary = coach.summary(
        header.input or "", source.fps or 30.0, complete,
        {"estimator": estimator.name, "mode": "live", "ended_by": ended_by,
         "frames_captured": stats.captured, "frames_dropped": stats.dropped})
    write_json_atomic(session_dir / "summary.json", summary)
    result = LiveResult(summary, session_dir, stats, complete, ended_by)
    if error is not None:
        error.result = result  # type: ignore[attr-defined]
        raise error
    return result
