"""Scoring recorded media: ``posecheck score``.

One pass over the input: decode a frame, find the landmarks, judge them with the
:class:`~posecheck.track.tracker.PoseTracker`, record the verdict, and write the
landmarks, the CSV row and the annotated frame as they come, so memory does not
grow with the input's length. The same numbers come back from a replay of the
saved landmarks, because the replay feeds the tracker the very same raw values.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from posecheck.core.frame import PoseFrame
from posecheck.errors import InputError, PosecheckError
from posecheck.io.atomic import AtomicCsv, prepare_output_dir, write_json_atomic
from posecheck.io.landmarks_file import LandmarksHeader, LandmarksWriter, RawPose
from posecheck.io.threads import Prefetch, Worker
from posecheck.session.cues import CueScheduler
from posecheck.session.feedback import cue_candidates
from posecheck.session.summary import Recorder
from posecheck.specs.models import PoseSpec
from posecheck.track.tracker import FrameVerdict, PoseTracker

VERSION = "0.1.0"


class Interrupted(PosecheckError):
    """The run was stopped (Ctrl-C or SIGTERM) after writing what it had."""

    exit_code = 130


@dataclass
class ScoreResult:
    """What a scoring run produced."""

    summary: dict
    out: Path
    files: dict[str, Path] = field(default_factory=dict)
    lost_frames: int = 0


@dataclass(frozen=True)
class ScoreOptions:
    """How to score one input.

    Attributes:
        side: ``auto``, ``left`` or ``right`` (which leg is forward, for lunges).
        video: write ``annotated.mp4``.
        force: replace results already in the output folder.
        model: a ``.task`` model file instead of the bundled model.
        stride: judge every Nth frame only (times stay in real seconds).
    """

    side: str = "auto"
    video: bool = True
    force: bool = False
    model: Path | None = None
    stride: int = 1


def _tracker_for(spec: PoseSpec, side: str, still: bool) -> PoseTracker:
    if still:
        # Unrelated photos: nothing carries over from one to the next.
        return PoseTracker(spec, side, side_hold_s=0.0, view_hold_s=0.0, enter_s=0.0, exit_s=0.0,
                           jump_guard=False)
    return PoseTracker(spec, side)


class VideoClock:
    """The cue scheduler's clock in a recorded video: the current frame's time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _StopFlag:
    """Turns Ctrl-C and SIGTERM into a clean stop between two frames.

    A KeyboardInterrupt raised in the middle of a frame could leave the landmarks
    file one frame ahead of the CSV; a flag checked between frames keeps every
    output file at the same frame count.
    """

    def __init__(self) -> None:
        self.stopped = False
        self._old: dict[int, object] = {}

    def __enter__(self) -> _StopFlag:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:  # noqa: ANN001
        self.stopped = True

    def __exit__(self, *exc: object) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)  # type: ignore[arg-type]


def frames_csv_header(spec: PoseSpec) -> list[str]:
    cols = ["frame", "t", "side", "person", "in_pose", "good_form", "score"]
    for c in spec.checks:
        cols += [c.id, f"{c.id}.status"]
    return cols + ["camera_cue"]


def frames_csv_row(v: FrameVerdict) -> list:
    def num(x: float, digits: int) -> str:
        return "" if math.isnan(x) else f"{x:.{digits}f}"

    row = [v.index, f"{v.t:.4f}", v.side or "", int(v.detected), int(v.in_pose), int(v.good_form),
           num(v.score, 1)]
    for c in v.checks:
        row += [num(c.value, 4 if c.unit == "ratio" else 2), c.status.value]
    return row + [v.camera_cue or ""]


class _SingleJudge:
    """One pose for the whole input: the tracker and recorder of ``score --pose NAME``."""

    def __init__(self, spec: PoseSpec, side: str, still: bool, step: int = 1) -> None:
        self.spec, self.side, self.still = spec, side, still
        self.tracker = _tracker_for(spec, side, still)
        self.recorder = Recorder(spec, step)
        self.csv_header = frames_csv_header(spec)

    def __len__(self) -> int:
        return len(self.recorder)

    def judge(self, frame: PoseFrame, index: int) -> tuple[FrameVerdict | None, PoseSpec | None, list]:
        if self.still:
            self.tracker = _tracker_for(self.spec, self.side, self.still)
        verdict = self.tracker.update(frame, index)
        self.recorder.add(verdict)
        return verdict, self.spec, frames_csv_row(verdict)

    def hold_s(self, fps: float) -> float | None:
        return None if self.still else self.recorder.current_hold_s(fps)

    def summary(self, input_name: str, fps: float, complete: bool, extra: dict) -> dict:
        return self.recorder.summary(input_name=input_name, fps=fps, complete=complete, extra=extra)


#: A stretch recognised as one pose shorter than this is passing through, not a segment.
MIN_SEGMENT_S = 1.0


class AutoJudge:
    """``--pose auto``: recognise the pose in every frame and score each segment on its own.

    Shared by ``score`` and ``live``. After :meth:`judge`, ``recognition`` holds the
    recogniser's answer for that frame.
    """

    csv_header = ["frame", "t", "pose", "side", "person", "in_pose", "good_form", "score", "checks", "camera_cue"]

    def __init__(self, specs: list[PoseSpec], side: str, still: bool, fps: float, step: int = 1) -> None:
        from posecheck.judge.recognise import PoseRecognizer

        self._fps = fps
        self._step = step
        self.by_id = {s.id: s for s in specs}
        self.side_option, self.still = side, still
        self.recognizer = PoseRecognizer(specs, hold_s=0.0 if still else 0.6)
        self.frames = 0
        self.t: list[float] = []
        self.segments: list[dict] = []
        self._key: tuple[str, str | None] | None = None
        self._tracker: PoseTracker | None = None
        self._recorder: Recorder | None = None
        self.recognition = None

    def __len__(self) -> int:
        return self.frames

    def _close(self, fps: float, complete: bool) -> None:
        rec = self._recorder
        if rec is not None and len(rec):
            duration = rec.t[-1] - rec.t[0] + self._step / fps
            if duration >= MIN_SEGMENT_S or self.still:
                s = rec.summary(input_name="", fps=fps, complete=complete)
                self.segments.append({"pose": self._key[0], "side": self._key[1],
                                      "start_s": round(rec.t[0], 3),
                                      "end_s": round(rec.t[-1] + self._step / fps, 3), **{
                                          k: s[k] for k in ("pose_title", "frames", "score", "time_in_pose_s",
                                                            "time_in_good_form_s", "time_not_judged_s", "holds",
                                                            "checks", "hold_target_s")}})
        self._key, self._tracker, self._recorder = None, None, None

    def judge(self, frame: PoseFrame, index: int) -> tuple[FrameVerdict | None, PoseSpec | None, list]:
        self.frames += 1
        self.t.append(frame.timestamp)
        r = self.recognition = self.recognizer.update(frame)
        spec = self.by_id.get(r.pose) if r.pose else None
        side = r.side if spec is not None and spec.sides == "front_back" else None
        if self.side_option in ("left", "right") and spec is not None and spec.sides == "front_back":
            side = self.side_option
        key = (spec.id, side) if spec is not None else None
        if key != self._key:
            self._close(self._fps, True)
            if spec is not None:
                self._key = key
                self._tracker = _tracker_for(spec, side or "auto", self.still)
                self._recorder = Recorder(spec, self._step)
        verdict = None
        if self._tracker is not None and self._recorder is not None:
            verdict = self._tracker.update(frame, index)
            self._recorder.add(verdict)
        if verdict is None:
            row = [index, f"{frame.timestamp:.4f}", "", "", int(frame.detected), 0, 0, "", "", ""]
        else:
            checks = ";".join(f"{c.id}={'' if math.isnan(c.value) else f'{c.value:.3f}'}:{c.status.value}"
                              for c in verdict.checks)
            row = [index, f"{verdict.t:.4f}", spec.id, verdict.side or "", int(verdict.detected),
                   int(verdict.in_pose), int(verdict.good_form),
                   "" if math.isnan(verdict.score) else f"{verdict.score:.1f}", checks, verdict.camera_cue or ""]
        return verdict, spec, row

    def hold_s(self, fps: float) -> float | None:
        return None if self.still or self._recorder is None else self._recorder.current_hold_s(fps)

    def summary(self, input_name: str, fps: float, complete: bool, extra: dict) -> dict:
        self._close(fps, complete)
        segs = self.segments
        in_pose = sum(s["time_in_pose_s"] for s in segs)
        scored = [(s["score"], s["time_in_pose_s"]) for s in segs if s["score"] is not None and s["time_in_pose_s"]]
        score = (round(sum(a * w for a, w in scored) / sum(w for _, w in scored), 1) if scored else None)
        poses: dict[str, dict] = {}
        for seg in segs:
            p = poses.setdefault(seg["pose"], {"segments": 0, "time_in_pose_s": 0.0, "time_in_good_form_s": 0.0})
            p["segments"] += 1
            p["time_in_pose_s"] = round(p["time_in_pose_s"] + seg["time_in_pose_s"], 3)
            p["time_in_good_form_s"] = round(p["time_in_good_form_s"] + seg["time_in_good_form_s"], 3)
        duration = (self.t[-1] - self.t[0] + self._step / fps) if self.t else 0.0
        out = {"pose": "auto", "input": input_name, "complete": complete, "frames": self.frames,
               "fps": round(float(fps), 3), "duration_s": round(duration, 3), "score": score,
               "time_in_pose_s": round(in_pose, 3),
               "time_in_good_form_s": round(sum(s["time_in_good_form_s"] for s in segs), 3),
               "segments": segs, "poses": poses}
        out.update(extra)
        return out


def score_stream(
    raws: Iterator[tuple[int, RawPose, object | None]],
    spec: PoseSpec | list[PoseSpec],
    out: Path,
    header: LandmarksHeader,
    *,
    options: ScoreOptions,
    still: bool,
    on_frame: Callable[[int], None] | None = None,
    lost_frames: Callable[[], int] = lambda: 0,
) -> ScoreResult:
    """Judge a stream of raw landmark answers and write every output into ``out``.

    Args:
        raws: ``(frame index, RawPose, BGR image or None)``; the image is only
            needed for the annotated video.
        spec: the pose, or a list of poses to recognise frame by frame (``--pose auto``).
        out: the prepared output folder.
        header: describes the input for ``landmarks.jsonl`` and the summary.
        options: side, video and stride settings.
        still: photos rather than a video (no smoothing across frames).
        on_frame: called with the count of frames done (for a progress bar).
        lost_frames: how many frames the decoder had to skip so far.
    """
    files = {"summary": out / "summary.json", "frames": out / "frames.csv",
             "landmarks": out / "landmarks.jsonl"}
    fps = header.fps or 1.0
    step = max(options.stride, 1)
    judge = (AutoJudge(spec, options.side, still, fps, step) if isinstance(spec, list)
             else _SingleJudge(spec, options.side, still, step))
    writer = LandmarksWriter(files["landmarks"], header)
    table = AtomicCsv(files["frames"], judge.csv_header)
    shown_spec: PoseSpec | None = None
    video = None
    encoder: Worker | None = None
    complete = True
    clock = VideoClock()
    scheduler = CueScheduler(clock=clock)
    try:
        from posecheck.render.overlay import OverlayInfo, draw_overlay

        with _StopFlag() as stop:
            try:
                for count, (index, raw, image) in enumerate(raws, start=1):
                    if stop.stopped:
                        raise KeyboardInterrupt
                    writer.write(index, raw)
                    frame: PoseFrame = raw.to_frame()
                    verdict, frame_spec, row = judge.judge(frame, index)
                    table.write(row)
                    if options.video and image is not None:
                        if video is None:
                            from posecheck.io.media import VideoWriter

                            files["video"] = out / "annotated.mp4"
                            video = VideoWriter(files["video"], fps / max(options.stride, 1),
                                                (image.shape[1], image.shape[0]), threads=1)
                            # Drawing and H.264 encoding run beside the model, on the other core.
                            encoder = Worker(lambda job: video.write(draw_overlay(*job)), depth=4,
                                             name="posecheck-encode")
                        clock.now = frame.timestamp
                        if frame_spec is not shown_spec:
                            scheduler.reset()  # a new pose: its own cues from the start
                            shown_spec = frame_spec
                        if verdict is not None and frame_spec is not None:
                            cue = scheduler.update(cue_candidates(verdict, frame_spec.praise))
                            info = OverlayInfo(title=frame_spec.title, cue=cue.text if cue else None,
                                               cue_is_camera=bool(cue and cue.kind == "camera"),
                                               hold_s=judge.hold_s(fps),
                                               hold_target_s=frame_spec.hold.target_s if frame_spec.hold else None)
                        else:
                            info = OverlayInfo(title="No pose recognised")
                        encoder.submit((image, frame, verdict, info))
                    if on_frame:
                        on_frame(count)
            except KeyboardInterrupt:
                complete = False
        if len(judge) == 0:
            raise InputError(f"{header.input}: no frames could be read", "check the file plays in a video player")
        summary = judge.summary(
            header.input or "", fps, complete,
            {"estimator": header.estimator, "stride": options.stride,
             "frames_lost": lost_frames(), "side_option": options.side,
             "posecheck_version": VERSION},
        )
        writer.close()
        table.close()
        if encoder is not None:
            encoder.close()
            encoder = None
        if video is not None:
            video.close(complete=True)
        write_json_atomic(files["summary"], summary)
        if options.force:
            # A report left from the results just replaced would describe another run.
            (out / "report.html").unlink(missing_ok=True)
    except BaseException:
        writer.abort()
        table.abort()
        if encoder is not None:
            try:
                encoder.close()
            except BaseException:  # noqa: S110 - the first error is the one to report
                pass
        if video is not None:
            video.abort()
        raise
    result = ScoreResult(summary, out, files, lost_frames())
    if not complete:
        raise _interrupted(result)
    return result


def _interrupted(result: ScoreResult) -> Interrupted:
    exc = Interrupted(
        f"interrupted after {result.summary['frames']} frames",
        f"partial results (marked incomplete) are in {result.out}",
    )
    exc.result = result  # type: ignore[attr-defined]
    return exc


def score_file(path: Path, spec: PoseSpec | list[PoseSpec], out: Path, options: ScoreOptions,
               on_start: Callable[[int | None], None] | None = None,
               on_frame: Callable[[int], None] | None = None) -> ScoreResult:
    """Score a video, a photo or a folder of photos with the landmark model."""
    from posecheck.estimators import create_estimator
    from posecheck.io.media import open_media

    source = open_media(path)  # raises InputError before anything is written
    prepare_output_dir(out, options.force)
    info = source.info
    still = info.kind != "video"
    kind = "task" if options.model else "bundled"
    estimator = create_estimator(kind, options.model, mode="image" if still else "video")
    header = LandmarksHeader(input=str(path), width=info.width, height=info.height,
                             fps=info.fps, estimator=estimator.name)
    if on_start:
        on_start(info.frame_count)

    stride = max(options.stride, 1)
    # Three stages on three threads: decoding runs ahead of the model, and the model runs
    # ahead of the judging and writing here (which would otherwise cost it 5% of its pace:
    # the model leaves most of the second core idle). Both queues are short and bounded.
    frames = Prefetch((vf for vf in source if vf.index % stride == 0), depth=4, name="posecheck-decode")
    raws = Prefetch(((vf.index, estimator.detect(vf.image, vf.t), vf.image) for vf in frames), depth=2,
                    name="posecheck-model")
    try:
        with source, estimator:
            try:
                return score_stream(iter(raws), spec, out, header, options=options, still=still,
                                    on_frame=on_frame, lost_frames=lambda: source.lost_frames)
            finally:
                raws.close()  # before the estimator closes: its thread may be inside the model
    finally:
        frames.close()


def score_replay(landmarks: Path, spec: PoseSpec | list[PoseSpec], out: Path, options: ScoreOptions,
                 on_frame: Callable[[int], None] | None = None) -> ScoreResult:
    """Re-score saved landmarks (``landmarks.jsonl``) without running the model."""
    from posecheck.estimators import ReplayEstimator

    replay = ReplayEstimator(landmarks)  # raises InputError before anything is written
    prepare_output_dir(out, options.force)
    header = replay.header
    still = header.fps is None or _is_still_input(header.input)

    def raws() -> Iterator[tuple[int, RawPose, None]]:
        for index, raw in replay.raw_frames():
            yield index, raw, None

    with replay:
        return score_stream(raws(), spec, out, header,
                            options=ScoreOptions(options.side, False, options.force, None, options.stride),
                            still=still, on_frame=on_frame)


def _is_still_input(name: str | None) -> bool:
    from posecheck.io.media import IMAGE_EXTENSIONS

    if not name:
        return False
    p = Path(name)
    return p.suffix.lower() in IMAGE_EXTENSIONS or (p.is_dir())
