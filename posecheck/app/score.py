"""Scoring recorded media: ``posecheck score``.

One pass over the input: decode a frame, find the landmarks, judge them with a
:class:`~posecheck.session.session.Session`, and write the landmarks, the CSV row and the
annotated frame as they come, so memory does not grow with the input's length. The same
numbers come back from a replay of the saved landmarks, because the replay feeds the
session the very same raw values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from posecheck.errors import InputError, Interrupted
from posecheck.io import frames_file
from posecheck.io.atomic import AtomicCsv, prepare_output_dir, write_json_atomic
from posecheck.io.landmarks_file import LandmarksHeader, LandmarksWriter, RawPose
from posecheck.io.signals import StopOnSignal
from posecheck.io.threads import Prefetch, Worker
from posecheck.session.records import Summary, summary_to_json
from posecheck.session.session import Mode
from posecheck.version import __version__

#: MediaPipe's own landmark smoothing, for recorded videos: off. The session filters a
#: recording without lag afterwards (:mod:`posecheck.track.zerolag`); smoothing twice only
#: adds MediaPipe's lag, measured in ``benchmarks/smoothing.py`` (docs/accuracy.md).
MEDIAPIPE_SMOOTHING = False


@dataclass
class ScoreResult:
    """What a scoring run produced.

    Attributes:
        summary: the run's summary (also in ``summary.json``).
        out: the output folder.
        files: what was written, by name (``summary``, ``frames``, ``landmarks``, ``video``).
        lost_frames: frames the decoder could not read.
    """

    summary: Summary
    out: Path
    files: dict[str, Path] = field(default_factory=dict)
    lost_frames: int = 0


@dataclass(frozen=True)
class ScoreOptions:
    """How to score one input.

    Attributes:
        video: write ``annotated.mp4``.
        force: replace results already in the output folder.
        model: a ``.task`` model file instead of the bundled model.
        stride: judge every Nth frame only (times stay in real seconds).
        region: the part of the picture the model looks in (``--region``); None: all of it.
    """

    video: bool = True
    force: bool = False
    model: Path | None = None
    stride: int = 1
    region: object | None = None  # a posecheck.estimators.region.Region


def annotate(image, frame, f):  # noqa: ANN001, ANN201 - a BGR image, its PoseFrame and SessionFrame
    """The picture of one judged frame as ``annotated.mp4`` shows it (the one home of that drawing)."""
    from posecheck.render.overlay import OverlayInfo, draw_overlay

    return draw_overlay(image, frame, f.verdict, OverlayInfo.of(f))


class _Annotated:
    """The annotated video: drawn and encoded on its own thread, beside the model.

    Any object with its methods (``keep``, ``write``, ``close``, ``abort``, ``written``) can take
    its place in :func:`score_stream`, e.g. one that has the video drawn in parallel time chunks.
    """

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps = path, fps
        self.video = None
        self.worker: Worker | None = None
        self.pending: dict[int, tuple] = {}

    def keep(self, index: int, image, frame) -> None:  # noqa: ANN001
        """Hold a frame's picture until the session has judged it."""
        if image is not None:
            self.pending[index] = (image, frame)

    def write(self, f) -> None:  # noqa: ANN001 - a SessionFrame
        """Draw and encode the picture of a judged frame."""
        item = self.pending.pop(f.index, None)
        if item is None:
            return
        image, frame = item
        if self.video is None:
            from posecheck.io.media import VideoWriter

            self.video = VideoWriter(self.path, self.fps, (image.shape[1], image.shape[0]), threads=1)
            video = self.video
            # Drawing and H.264 encoding run beside the model, on the other core.
            self.worker = Worker(lambda job: video.write(annotate(*job)), depth=4, name="posecheck-encode")
        self.worker.submit((image, frame, f))

    @property
    def written(self) -> Path | None:
        """The video, once a frame was written to it."""
        return self.path if self.video is not None else None

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        if self.video is not None:
            self.video.close(complete=True)

    def abort(self) -> None:
        if self.worker is not None:
            try:
                self.worker.close()
            except BaseException:  # noqa: S110 - the first error is the one to report
                pass
        if self.video is not None:
            self.video.abort()


def recording_session(mode: Mode, fps: float, options: ScoreOptions, still: bool,
                      live: bool = False):  # noqa: ANN201 - a Session
    """The session that judges a recording (the one place it is made, so that a batch worker
    drawing one chunk of the video replays exactly the judging of the whole recording).

    ``live``: the landmarks are a live session's (``score --replay`` of its landmarks.jsonl.gz):
    judged as live judged them, filtered causally rather than without lag, so the replay gives
    the live session's figures."""
    return mode.session(fps=fps, stride=options.stride, still=still, live=live)


class _AnnotatedStills:
    """Photos drawn with their overlay: ``annotated.png`` for one photo, ``annotated/<name>.png`` for a folder.

    A photo is not a one-frame video: each gets a picture a person can open, named after it.
    """

    def __init__(self, out: Path, names: dict[int, str] | None) -> None:
        self.out, self.names = out, names
        self.pending: dict[int, tuple] = {}
        self.written: Path | None = None
        self._taken: set[str] = set()

    def keep(self, index: int, image, frame) -> None:  # noqa: ANN001
        """Hold a photo until the session has judged it."""
        self.pending[index] = (image, frame)

    def _target(self, index: int) -> Path:
        if self.names is None:
            return self.out / "annotated.png"
        folder = self.out / "annotated"
        folder.mkdir(exist_ok=True)
        name = self.names.get(index) or f"frame{index:05d}"
        png = f"{Path(name).stem}.png"
        if png in self._taken:  # a.jpg and a.png in one folder
            png = f"{name}.png"
        self._taken.add(png)
        return folder / png

    def write(self, f) -> None:  # noqa: ANN001 - a SessionFrame
        """Draw a judged photo and write it."""
        from posecheck.io.media import write_png
        from posecheck.render.overlay import OverlayInfo, draw_overlay

        item = self.pending.pop(f.index, None)
        if item is None:
            return
        image, frame = item
        path = write_png(self._target(f.index), draw_overlay(image, frame, f.verdict, OverlayInfo.of(f)))
        self.written = path if self.names is None else path.parent

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


def _drop_other_annotated(out: Path, still: bool) -> None:
    """Remove the annotated output a replaced run of the other kind left (never anything else)."""
    if still:
        (out / "annotated.mp4").unlink(missing_ok=True)
    else:
        (out / "annotated.png").unlink(missing_ok=True)
        folder = out / "annotated"
        if folder.is_dir() and not folder.is_symlink():
            for png in folder.glob("*.png"):
                png.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()  # kept when it holds anything else


def score_stream(
    raws: Iterator[tuple[int, RawPose, object | None]],
    mode: Mode,
    out: Path,
    header: LandmarksHeader,
    *,
    options: ScoreOptions,
    still: bool,
    on_frame: Callable[[int], None] | None = None,
    lost_frames: Callable[[], int] = lambda: 0,
    video: _Annotated | _AnnotatedStills | None = None,
    run: dict | None = None,
    names: dict[int, str] | None = None,
) -> ScoreResult:
    """Judge a stream of raw landmark answers and write every output into ``out``.

    Args:
        raws: ``(frame index, RawPose, BGR image or None)``; the image is only
            needed for the annotated video (or, for photos, the annotated PNGs).
        mode: what to judge (one pose, ``--pose auto``, a routine).
        out: the prepared output folder.
        header: describes the input for ``landmarks.jsonl`` and the summary.
        options: video and stride settings.
        still: photos rather than a video (no smoothing across frames; annotated PNGs, not a video).
        on_frame: called with the count of frames done (for a progress bar).
        lost_frames: how many frames the decoder had to skip so far.
        video: where the judged frames' pictures go instead of an ``annotated.mp4`` drawn here
            (``options.video`` is then not looked at).
        run: more about how the run was made, for the summary (e.g. its time chunks).
        names: a folder of photos: each frame's file name by index (filled by the time the frame
            arrives), for ``frames.csv``, ``landmarks.jsonl`` and the PNGs.
    """
    files = {"summary": out / "summary.json", "frames": out / "frames.csv", "landmarks": out / "landmarks.jsonl"}
    fps = header.fps or 1.0
    session = recording_session(mode, fps, options, still, live=header.live)
    layout = session.layout
    writer = LandmarksWriter(files["landmarks"], header)
    named = names is not None
    table = AtomicCsv(files["frames"], frames_file.header(layout, mode.spec, files=named))
    if video is None and options.video:
        video = (_AnnotatedStills(out, names) if still
                 else _Annotated(out / "annotated.mp4", fps / max(options.stride, 1)))
    complete = True

    def emit(done) -> None:  # noqa: ANN001 - SessionFrames
        for f in done:
            table.write(frames_file.row(layout, f, names.get(f.index) if named else None, files=named))
            if video is not None:
                video.write(f)

    try:
        with StopOnSignal() as stop:
            for count, (index, raw, image) in enumerate(raws, start=1):
                if stop.stopped:
                    complete = False
                    break
                writer.write(index, raw, names.get(index) if named else None)
                frame = raw.to_frame()
                if video is not None:
                    video.keep(index, image, frame)
                emit(session.push(frame, index))
                if on_frame:
                    on_frame(count)
            emit(session.flush())
        if session.frames == 0 and not complete:
            raise Interrupted("interrupted before the first frame was scored", "nothing was written")
        if session.frames == 0:
            raise InputError(f"{header.input}: no frames could be read", "check the file plays in a video player")
        summary = session.summary(header.input or "", complete, {
            "estimator": header.estimator, "stride": options.stride, "frames_lost": lost_frames(),
            "side_option": mode.side, "posecheck_version": __version__,
            "region": options.region.describe() if options.region is not None else None, **(run or {})})
        writer.close()
        table.close()
        if video is not None:
            video.close()
            if video.written is not None:
                files["video" if not still else "annotated"] = video.written
        write_json_atomic(files["summary"], summary_to_json(summary))
        if options.force:
            # A report left from the results just replaced would describe another run, and so
            # would the annotated output of the other kind (a video's, over photos' results).
            (out / "report.html").unlink(missing_ok=True)
            if video is not None:
                _drop_other_annotated(out, still)
    except BaseException:
        writer.abort()
        table.abort()
        if video is not None:
            video.abort()
        raise
    result = ScoreResult(summary, out, files, lost_frames())
    if not complete:
        raise Interrupted(f"interrupted after {summary.frames} frames",
                          f"partial results (marked incomplete) are in {out}", result=result)
    return result


def score_file(path: Path, mode: Mode, out: Path, options: ScoreOptions,
               on_start: Callable[[int | None], None] | None = None,
               on_frame: Callable[[int], None] | None = None, name: str | None = None) -> ScoreResult:
    """Score a video, a photo or a folder of photos with the landmark model.

    ``name`` is the input as the user gave it, for the summary (default: ``path``): a batch
    worker reads the absolute path, on any machine, and the summary still names the input
    as typed.
    """
    from posecheck.estimators import create_estimator
    from posecheck.io.media import open_media

    source = open_media(path)  # raises InputError before anything is written
    info = source.info
    if options.region is not None:
        options.region.pixels(info.width, info.height)  # a region outside the picture fails here, too
    prepare_output_dir(out, options.force)
    still = info.kind != "video"
    kind = "task" if options.model else "bundled"
    estimator = create_estimator(kind, options.model, mode="image" if still else "video",
                                 smooth=MEDIAPIPE_SMOOTHING)
    if options.region is not None:
        from posecheck.estimators.region import RegionEstimator

        estimator = RegionEstimator(estimator, options.region)
    header = LandmarksHeader(input=name or str(path), width=info.width, height=info.height,
                             fps=info.fps, estimator=estimator.name)
    if on_start:
        on_start(info.frame_count)

    stride = max(options.stride, 1)
    # A folder's photos are named in every output; the decoding thread notes each name
    # before its frame goes on, so it is there when the frame is judged.
    names: dict[int, str] | None = {} if info.kind == "folder" else None

    def decoded() -> Iterator:
        for vf in source:
            if vf.index % stride == 0:
                if names is not None:
                    names[vf.index] = vf.name
                yield vf

    # Three stages on three threads: decoding runs ahead of the model, and the model runs
    # ahead of the judging and writing here (which would otherwise cost it 5% of its pace:
    # the model leaves most of the second core idle). Both queues are short and bounded.
    frames = Prefetch(decoded(), depth=4, name="posecheck-decode")
    raws = Prefetch(((vf.index, estimator.detect(vf.image, vf.t), vf.image) for vf in frames), depth=2,
                    name="posecheck-model")
    try:
        with source, estimator:
            try:
                return score_stream(iter(raws), mode, out, header, options=options, still=still,
                                    on_frame=on_frame, lost_frames=lambda: source.lost_frames, names=names)
            finally:
                raws.close()  # before the estimator closes: its thread may be inside the model
    finally:
        frames.close()


def score_replay(landmarks: Path, mode: Mode, out: Path, options: ScoreOptions,
                 on_frame: Callable[[int], None] | None = None) -> ScoreResult:
    """Re-score saved landmarks (``landmarks.jsonl``) without running the model."""
    from posecheck.estimators import ReplayEstimator
    from posecheck.io.media import is_still_input

    replay = ReplayEstimator(landmarks)  # raises InputError before anything is written
    prepare_output_dir(out, options.force)
    header = replay.header
    still = header.fps is None or is_still_input(header.input) or replay.names_files

    def raws() -> Iterator[tuple[int, RawPose, None]]:
        for index, raw in replay.raw_frames():
            yield index, raw, None

    with replay:
        # Photos of a folder keep their names: the landmarks name each frame's file.
        return score_stream(raws(), mode, out, header, options=replace(options, video=False, model=None, region=None),
                            still=still, on_frame=on_frame, names=replay.files if replay.names_files else None)


__all__ = ["ScoreOptions", "ScoreResult", "annotate", "recording_session", "score_file", "score_replay",
           "score_stream"]
