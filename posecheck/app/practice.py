"""One practice session fed from outside, frame by frame: what ``serve`` runs per browser page.

The page sends camera frames (JPEG); each goes through the same steps as in ``live``: the
bundled model in video mode, :meth:`Session.push <posecheck.session.session.Session.push>`,
the session's files (:mod:`posecheck.app.session_files`) and, when asked for, a recording.
The answer is a :class:`~posecheck.app.wire.FrameAnswer` for the page to draw and say. At
the end the session is saved like a ``live`` session: ``summary.json``, the report (one
pose) and the history entry.

A frame is judged, a key handled and the session ended one at a time (a lock), so a
server may end a session from another thread (it is stopping) while a frame is judged.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from posecheck.app.session_files import SessionFiles, new_session_dir, save_summary
from posecheck.app.wire import Ended, FrameAnswer, Ready, frame_answer
from posecheck.errors import InputError, ServeError, printable
from posecheck.io.paths import sessions_root
from posecheck.session.records import AutoSummary, Summary
from posecheck.session.session import Mode

#: The name of a session's recording (``--record``): the report finds and embeds it.
RECORDING = "annotated.mp4"
#: About how many frames a second a page sends: one per answer, so the model's pace (8-15
#: measured on two busy cores), not the camera's.
JUDGED_FPS = 10.0


@dataclass(frozen=True)
class PracticeOptions:
    """How sessions from a page are saved.

    Attributes:
        sessions_dir: where sessions are saved (None: the user data folder's ``sessions``).
        record: keep the frames with the overlay as ``annotated.mp4`` in the session's
            folder (off: no frame is ever written to disk).
        history: add each session to the progress history.
    """

    sessions_dir: Path | None = None
    record: bool = False
    history: bool = True


@dataclass(frozen=True)
class Camera:
    """The page's camera, as the page describes it when a session starts.

    Attributes:
        width, height: the size of every frame it will send.
        fps: the camera's frame rate.
        label: the camera's name in the browser (may be empty).
    """

    width: int
    height: int
    fps: float = 30.0
    label: str = ""

    @property
    def input_name(self) -> str:
        """The session's input, as ``summary.json`` and the history name it."""
        label = printable(self.label.strip())[:80]
        return f"browser:{label}" if label else "browser"


class Practice:
    """One session from a page: its model, its :class:`Session`, its folder and files.

    Args:
        mode: what to practise.
        camera: the page's camera (frame size and rate).
        opts: see :class:`PracticeOptions`.
        estimator: a landmark estimator (default: the bundled model in video mode).
    """

    def __init__(self, mode: Mode, camera: Camera, opts: PracticeOptions, estimator=None) -> None:  # noqa: ANN001
        from posecheck.io.landmarks_file import LandmarksHeader

        if not (16 <= camera.width <= 4096 and 16 <= camera.height <= 4096):
            raise InputError(f"a {camera.width}x{camera.height} camera cannot be judged",
                             "use a camera of 16 to 4096 pixels a side")
        self.mode, self.camera, self.opts = mode, camera, opts
        fps = camera.fps if 1.0 <= camera.fps <= 240.0 else 30.0
        if estimator is None:
            from posecheck.estimators import create_estimator

            estimator = create_estimator("bundled", None, mode="video")
        self.estimator = estimator
        # A judged frame stands for the camera frames until the next one leaves the page; at
        # the camera's own rate a frame would count for at most 4 camera frames (a stall's
        # limit), and a page at the model's pace would lose time in the pose to that limit.
        self.session = mode.session(fps=fps, stride=max(1, round(fps / JUDGED_FPS)), live=True)
        try:
            self.session_dir = new_session_dir(sessions_root(opts.sessions_dir), self.session.name,
                                               opts.sessions_dir is not None)
            size = (camera.width, camera.height)
            self.header = LandmarksHeader(input=camera.input_name, width=camera.width, height=camera.height,
                                          fps=fps, estimator=estimator.name, live=True)
            record = self.session_dir / RECORDING if opts.record else None
            self.files = SessionFiles(self.session_dir, self.session, self.header, record, fps, size, timed=True)
        except BaseException:
            estimator.close()
            raise
        self.frames = 0
        self.received = 0
        self.skipped = 0
        self.model_ms: list[float] = []
        self._last_t = float("-inf")
        self._index = -1
        self._lock = threading.Lock()
        self._ended: Ended | None = None

    @property
    def ended(self) -> bool:
        """Whether the session has ended (and is saved)."""
        return self._ended is not None

    @property
    def finished(self) -> bool:
        """Whether the session has nothing more to do (a routine's plan is done)."""
        return self.session.finished

    def ready(self) -> Ready:
        """What the page needs to know once the session has started."""
        mode = self.mode
        title = {"pose": mode.specs[0].title, "auto": "Any pose"}.get(mode.kind, mode.routine_title)
        return Ready(session=self.session_dir.name, mode=mode.kind, title=title, keys=self.session.keys,
                     has_sides=mode.kind == "pose" and mode.specs[0].sides == "front_back")

    # -- per frame ----------------------------------------------------------------------------

    def frame(self, data: bytes, t: float, seen: int | None = None) -> FrameAnswer:
        """Judge one frame from the page.

        Args:
            data: the picture (JPEG, PNG or WebP).
            t: when the page captured it, in seconds from the session's start.
            seen: how many frames the camera had shown by then (for the frames dropped).

        Raises:
            InputError: the frame is not a picture, has another size than the camera's, or
                its time is not after the last frame's; it is skipped, the session goes on.
            ServeError: the session has ended.
            EstimatorError: the model failed.
        """
        from posecheck.io.upload import decode_picture

        arrived = time.perf_counter()
        with self._lock:
            if self._ended is not None:
                raise ServeError("this session has ended", "start a new one")
            self.received += 1
            if seen is not None:
                self._seen = seen
            try:
                image = decode_picture(data)
                h, w = image.shape[:2]
                if (w, h) != (self.camera.width, self.camera.height):
                    raise InputError(f"a {w}x{h} frame arrived in a session of {self.camera.width}x"
                                     f"{self.camera.height} frames", "start a new session for another size")
                if not t > self._last_t:
                    raise InputError(f"a frame's time ({t:.3f} s) is not after the last one's ({self._last_t:.3f} s)",
                                     "send frames in the order they were taken")
            except InputError:
                self.skipped += 1
                raise
            self._last_t = t
            # The camera's own frame count when the page gives it, as live numbers frames by capture.
            self._index = max(self._index + 1, (seen - 1) if seen is not None else -1)
            t0 = time.perf_counter()
            raw = self.estimator.detect(image, t)
            t1 = time.perf_counter()
            frame = raw.to_frame()
            self.files.landmarks.write(self._index, raw)
            done = self.session.push(frame, self._index)
            for f in done:
                self.files.frame(f)
            if done and self.files.recording is not None:
                from posecheck.render.overlay import OverlayInfo, draw_overlay

                f = done[-1]
                self.files.recording.write(draw_overlay(image, frame, f.verdict, OverlayInfo.of(f)), t)
            self.frames += 1
            self.model_ms.append((t1 - t0) * 1000)
            return frame_answer(done[-1] if done else None, frame, self._index, (t1 - t0) * 1000,
                                (time.perf_counter() - arrived) * 1000, self.session.finished)

    _seen: int | None = None

    def key(self, key: str) -> str | None:
        """A key pressed on the page (``s`` switch side, ``n`` next step): what to say about it."""
        with self._lock:
            if self._ended is not None:
                raise ServeError("this session has ended", "start a new one")
            return self.session.key(key)

    # -- the end ------------------------------------------------------------------------------

    def end(self, ended_by: str, complete: bool = True, on_warning=None) -> Ended:  # noqa: ANN001
        """End the session and save it like a ``live`` session (once; later calls return the same).

        Args:
            ended_by: why it ended (``summary.json``'s ``ended_by``).
            complete: it ended as the person chose (False: the page went away, the server
                stopped, the camera was lost).
            on_warning: gets a one-line warning when the report or the history cannot be
                written (the session itself is saved by then).

        Raises:
            OutputError: the session's files cannot be finished (e.g. the disk is full).
        """
        with self._lock:
            if self._ended is not None:
                return self._ended
            warnings: list[str] = []

            def warn(message: str) -> None:
                warnings.append(message)
                if on_warning is not None:
                    on_warning(message)

            try:
                for f in self.session.flush():
                    self.files.frame(f)
                self.files.close()
            except BaseException:
                self.files.abort()
                self._ended = self._unsaved(ended_by)
                raise
            finally:
                self.estimator.close()
            # Like live's: frames the camera gave, and those of them never judged (the page
            # sends the newest frame only when the last answer is back; skipped bad frames).
            captured = max(self._seen or 0, self.received)
            try:
                summary = save_summary(self.session, self.session_dir, self.camera.input_name, self.estimator.name,
                                       complete=complete, ended_by=ended_by, captured=captured,
                                       dropped=captured - self.frames)
            except BaseException:
                # The files are closed by now: a second end() must not finish them again.
                self._ended = self._unsaved(ended_by)
                raise
            report = self._after(summary, warn)
            self._ended = _ended(summary, self, ended_by, complete, report, tuple(warnings))
            return self._ended

    def _unsaved(self, ended_by: str) -> Ended:
        """What a session that could not be saved ended as (no score: no summary)."""
        return Ended(session=self.session_dir.name, folder=str(self.session_dir), ended_by=ended_by,
                     complete=False, frames=self.frames)

    def _after(self, summary: Summary, warn) -> Path | None:  # noqa: ANN001
        """The report and the history entry, as ``live`` writes them."""
        from posecheck.app.after_run import add_to_history, write_report

        if not self.frames:
            return None
        # Every mode gets its report (a section per segment or hold for ``auto`` and routines), as in live.
        video = self.session_dir / RECORDING
        report = write_report(self.session_dir, summary, specs=list(self.mode.specs),
                              video=video if video.is_file() else None, on_warning=warn)
        if self.opts.history:
            add_to_history(summary, "live", self.session_dir, list(self.mode.specs), on_warning=warn)
        return report

    def close(self) -> None:
        """Free the model if the session never ended (a failure before :meth:`end`)."""
        if self._ended is None:
            self.estimator.close()


def _ended(summary: Summary, p: Practice, ended_by: str, complete: bool, report: Path | None,
           warnings: tuple[str, ...]) -> Ended:
    base = Ended(session=p.session_dir.name, folder=str(p.session_dir), ended_by=ended_by, complete=complete,
                 frames=p.frames, score=summary.score, time_in_pose_s=summary.time_in_pose_s,
                 time_in_good_form_s=summary.time_in_good_form_s,
                 report=report.name if report is not None else None, warnings=warnings)
    if isinstance(summary, AutoSummary):
        titles = tuple(dict.fromkeys(seg.pose_title or seg.pose for seg in summary.segments))
        base = replace(base, poses=titles)
        if summary.routine is not None:
            base = replace(base, holds_done=summary.routine.holds_done, holds_planned=summary.routine.holds_planned)
    return base


__all__ = ["Camera", "Practice", "PracticeOptions", "RECORDING"]
