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

from posecheck.app.session_files import SessionFiles as _Outputs
from posecheck.app.session_files import new_session_dir, save_summary
from posecheck.errors import CameraError, DisplayError
from posecheck.io.paths import sessions_root
from posecheck.session.records import Summary
from posecheck.session.session import Mode

WINDOW = "posecheck"
HELP_LINES = (
    "q / Esc   quit",
    "space     pause",
    "m         mirror on/off",
    "v         voice on/off",
    "f         frames per second on/off",
    "h         this help",
)
#: The longest the end of a session waits for the voice to finish (a sentence said, one waiting).
FINISH_SPEAKING_S = 12.0
#: How long one turn of the loop waits for a key when no frame is due (seconds).
KEY_POLL_S = 0.015
#: MediaPipe's own landmark smoothing in live runs: off. Chosen with the tracker's causal
#: smoothing by ``benchmarks/smoothing.py`` (docs/accuracy.md): the tracker's One-Euro
#: filter alone steadies a hold as well and lags a moving body less than both together.
MEDIAPIPE_SMOOTHING = False


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
        end_wait_s: when a video ends (or a routine is done), how long the window stays with the
            session's summary on it, unless a key is pressed first (0: close at once).
        region: the part of the picture the model looks in (``--region``); None: all of it.
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
    end_wait_s: float = 8.0
    region: object | None = None  # a posecheck.estimators.region.Region


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


def end_lines(summary: Summary) -> tuple[str, ...]:
    """The session's summary as the window shows it at the end: a key and its text per line."""
    from posecheck.session.records import PoseSummary
    from posecheck.session.summary import work_on

    score = "not judged" if summary.score is None else f"{summary.score:.0f} / 100"
    lines = [f"score    {score}"]
    if isinstance(summary, PoseSummary):
        target = f" of the {summary.hold_target_s:g} s target" if summary.hold_target_s else ""
        lines += [f"good form    {summary.time_in_good_form_s:.0f} s{target}",
                  f"in the pose    {summary.time_in_pose_s:.0f} s"]
    else:
        if summary.routine is not None:
            r = summary.routine
            lines.append(f"routine    {r.holds_done} of {r.holds_planned} holds done, "
                         f"{r.holds_long_enough} long enough")
        titles = list(dict.fromkeys(seg.pose_title or seg.pose for seg in summary.segments if seg.time_in_pose_s))
        lines += [f"poses    {', '.join(titles) or 'none recognised'}",
                  f"good form    {summary.time_in_good_form_s:.0f} s of {summary.time_in_pose_s:.0f} s in a pose"]
    lines.append(f"work on    {work_on(summary) or 'nothing stood out: well done'}")
    lines.append("    any key closes the window")
    return tuple(lines)


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
        """Stop speaking; with ``finish``, first say what is being said and what waits (a hold's
        "well done" just before the video ended), for as long as two sentences take."""
        if self.speaker is not None:
            if finish:
                self.speaker.wait_idle(timeout=FINISH_SPEAKING_S)
            self.speaker.close()


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
        if opts.region is not None:
            opts.region.pixels(*self.source.size)  # a region outside the picture fails before the model loads
        if estimator is None:
            from posecheck.estimators import create_estimator

            estimator = create_estimator("bundled", None, mode="video", smooth=MEDIAPIPE_SMOOTHING)
        if opts.region is not None:
            from posecheck.estimators.region import RegionEstimator

            estimator = RegionEstimator(estimator, opts.region)
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
                                 width=width, height=height, fps=source.fps, estimator=self.estimator.name,
                                 live=True)  # so that score --replay judges them as here
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
            outputs.close()  # a failure here removes its own partial files
        except BaseException:
            outputs.abort()
            self._shut(finish=False)
            raise
        if ended_by in ("interrupted", "camera lost"):
            complete = False
        if ended_by == "camera lost":
            error = CameraError(source.slot.error, f"what was measured is saved in {self.session_dir}")
        try:
            result = self._finish(header, complete, ended_by)
            if ended_by in ("source ended", "routine finished"):
                # The person sees how it went before the window goes: until a key, or a few seconds.
                with StopOnSignal() as stop:
                    self._end_screen(result.summary, stop)
        finally:
            # The last words are heard before the window closes, unless the person asked to stop.
            self._shut(finish=ended_by in ("routine finished", "source ended", "time limit"))
        if error is not None:
            error.result = result
            raise error
        return result

    def _shut(self, finish: bool) -> None:
        """Close the voice (letting it finish, if asked), the window and the model."""
        try:
            self.voice.close(finish=finish)
        finally:
            self._close_window()
            self.estimator.close()

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

    def _show(self, end_lines: tuple[str, ...] = ()):  # noqa: ANN202 - the picture shown (BGR), or None
        """Draw the last frame with the current settings and put it in the window.

        Nothing is drawn when nothing would show it (headless, not recording).

        Args:
            end_lines: the session's summary, shown in place of the help and the cue at the end.
        """
        if self._last is None or not (self.window_open or self.opts.record is not None):
            return None
        from posecheck.render.overlay import OverlayInfo, draw_overlay

        image, frame, f = self._last
        info = replace(OverlayInfo.of(f), fps=self.stats.fps_recent if self.show_fps else None,
                       note=self._note(f.note), help_lines=self.help_lines if self.help_on else ())
        if end_lines:
            info = replace(info, cue=None, help_lines=end_lines, note="session over: any key closes the window")
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

    def _finish(self, header, complete: bool, ended_by: str) -> LiveResult:  # noqa: ANN001
        summary = save_summary(self.session, self.session_dir, header.input or "", self.estimator.name,
                               complete=complete, ended_by=ended_by, captured=self.stats.captured,
                               dropped=self.stats.dropped,
                               region=self.opts.region.describe() if self.opts.region is not None else None)
        return LiveResult(summary, self.session_dir, self.stats, complete, ended_by)

    def _end_screen(self, summary: Summary, stop) -> None:  # noqa: ANN001 - a StopOnSignal
        """The last picture with the session's summary on it, until a key, a signal or ``end_wait_s``."""
        if not self.window_open or self._last is None or self.opts.end_wait_s <= 0:
            return
        import cv2

        self.paused, self.help_on = False, False
        self._show(end_lines=end_lines(summary))
        until = time.perf_counter() + self.opts.end_wait_s
        while time.perf_counter() < until and stop.signal is None:
            if cv2.waitKey(50) & 0xFF != 255:
                return


def run_live(mode: Mode, opts: LiveOptions, estimator=None, frame_source=None) -> LiveResult:  # noqa: ANN001
    """Run one live session (see :class:`LiveLoop`)."""
    return LiveLoop(mode, opts, estimator, frame_source).run()


__all__ = ["HELP_LINES", "LiveLoop", "LiveOptions", "LiveResult", "LiveStats", "end_lines", "run_live"]
