"""Tests of the estimators: the bundled model, .task files, replays and the factory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from posecheck.errors import EstimatorError, InputError
from posecheck.estimators import (
    ESTIMATOR_KINDS,
    BundledEstimator,
    Estimator,
    ReplayEstimator,
    TaskFileEstimator,
    create_estimator,
)
from posecheck.estimators.bundled import MODEL_PAGE
from posecheck.io.landmarks_file import LandmarksHeader, LandmarksWriter, RawPose, read_landmarks

ROOT = Path(__file__).resolve().parents[2]
#: Rendered clips of a person; POSECHECK_SAMPLES points elsewhere (e.g. a fresh render).
SAMPLES_DIR = Path(os.environ.get("POSECHECK_SAMPLES", ROOT / "samples"))
SAMPLES = sorted(SAMPLES_DIR.glob("*.mp4"))
#: One clip for the real-model tests: the side-view lunge the model is known to see well.
SAMPLE = next((p for p in SAMPLES if p.name == "lunge_side_90_left.mp4"), SAMPLES[0] if SAMPLES else None)
NO_SAMPLES = f"no {SAMPLES_DIR}/*.mp4 yet (rendered clips of a person are being made)"


def blank(w: int = 640, h: int = 360, value: int = 90) -> np.ndarray:
    """A flat picture with nobody in it."""
    return np.full((h, w, 3), value, np.uint8)


def noise(seed: int, w: int = 640, h: int = 360) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def mediapipe_modules() -> Path:
    import mediapipe

    return Path(mediapipe.__file__).parent / "modules"


@pytest.fixture(scope="session")
def wheel_task_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PoseLandmarker .task bundle assembled from the two models in the mediapipe wheel.

    No real ``pose_landmarker_*.task`` is available offline. The wheel's legacy
    BlazePose detector and full landmark model are the same networks; the Tasks
    API only also wants input-normalisation metadata, written here with
    mediapipe's own metadata writer ([-1, 1] input for the detector, [0, 1] for
    the landmark model, as the legacy graphs use).
    """
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer as mw
    from mediapipe.tasks.python.metadata.metadata_writers import model_asset_bundle_utils as bundle

    modules = mediapipe_modules()

    def with_metadata(path: Path, mean: float, std: float, outputs: int) -> bytes:
        writer = mw.MetadataWriter.create(bytearray(path.read_bytes()))
        writer.add_general_info(path.stem).add_image_input([mean], [std])
        for i in range(outputs):
            writer.add_feature_output(name=f"output_{i}")
        model, _ = writer.populate()
        return bytes(model)

    detector = with_metadata(modules / "pose_detection" / "pose_detection.tflite", 127.5, 127.5, 2)
    landmarks = with_metadata(modules / "pose_landmark" / "pose_landmark_full.tflite", 0.0, 255.0, 5)
    out = tmp_path_factory.mktemp("model") / "pose_landmarker_wheel.task"
    bundle.create_model_asset_bundle(
        {"pose_detector.tflite": detector, "pose_landmarks_detector.tflite": landmarks}, str(out)
    )
    return out


@pytest.fixture(scope="module")
def bundled_video() -> BundledEstimator:
    with BundledEstimator("video") as est:
        yield est


# -- import hygiene ---------------------------------------------------------------


def test_importing_estimators_does_not_import_mediapipe_or_cv2() -> None:
    code = (
        "import sys, posecheck.estimators, posecheck.io.landmarks_file;"
        "print(sorted(m for m in ('mediapipe', 'cv2', 'av') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# -- factory ----------------------------------------------------------------------


def test_unknown_kind_lists_the_valid_ones() -> None:
    with pytest.raises(EstimatorError) as caught:
        create_estimator("openpose")
    assert caught.value.message == "unknown estimator 'openpose'"
    assert caught.value.hint == "use one of bundled, task, replay"
    assert ESTIMATOR_KINDS == ("bundled", "task", "replay")


@pytest.mark.parametrize(
    ("kind", "model", "size"),
    [("lite", None, "lite"), ("heavy", None, "heavy"), ("bundled", "heavy", "heavy")],
)
def test_downloadable_model_sizes_are_refused(kind: str, model: str | None, size: str) -> None:
    with pytest.raises(EstimatorError) as caught:
        create_estimator(kind, model)
    assert caught.value.message == (
        f"the {size} pose model is not bundled with mediapipe and posecheck never downloads models"
    )
    assert caught.value.hint == (f"download pose_landmarker_{size}.task once from {MODEL_PAGE} and pass the file "
                                 "with --model")


def test_unknown_mode() -> None:
    with pytest.raises(EstimatorError) as caught:
        create_estimator("bundled", mode="stream")
    assert caught.value.message == "unknown estimator mode 'stream'"
    assert caught.value.hint == "use one of video, image"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("task", "the 'task' estimator needs a model file"),
        ("replay", "the 'replay' estimator needs a landmarks file"),
    ],
)
def test_kinds_that_need_a_file(kind: str, message: str) -> None:
    with pytest.raises(EstimatorError) as caught:
        create_estimator(kind)
    assert caught.value.message == message


def test_model_suffix_picks_the_kind(tmp_path: Path) -> None:
    path = write_replay(tmp_path / "run.jsonl", [RawPose.empty((64, 48), 0.0)])
    with create_estimator(model=path) as est:
        assert isinstance(est, ReplayEstimator)
    with pytest.raises(EstimatorError, match="does not exist"):
        create_estimator(model=tmp_path / "pose_landmarker_heavy.task")
    with pytest.raises(EstimatorError) as caught:
        create_estimator(model=tmp_path / "model.onnx")
    assert caught.value.message == f"cannot tell what kind of model {tmp_path / 'model.onnx'} is"


# -- bundled model ----------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize("mode", ["video", "image"])
def test_bundled_model_finds_nobody_in_an_empty_picture(mode: str) -> None:
    with create_estimator("bundled", mode=mode) as est:
        assert isinstance(est, BundledEstimator) and isinstance(est, Estimator)
        assert est.name == "mediapipe-0.10.21-bundled-full" and est.mode == mode
        frames = [est.process(img, i / 30) for i, img in enumerate([blank(), noise(1), blank(value=200)])]
    for i, frame in enumerate(frames):
        assert frame.detected is False
        assert frame.image_size == (640, 360)
        assert frame.timestamp == i / 30
        assert np.isnan(frame.xy).all()


@pytest.mark.model
def test_video_mode_needs_increasing_timestamps(bundled_video: BundledEstimator) -> None:
    bundled_video.process(blank(), 10.0)
    with pytest.raises(ValueError, match="timestamps must increase in video mode: 10.0 after 10.0"):
        bundled_video.process(blank(), 10.0)


@pytest.mark.model
@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((36, 64), np.uint8), r"expected an HxWx3 uint8 BGR image, got uint8 \(36, 64\)"),
        (np.zeros((36, 64, 3), np.float32), r"expected an HxWx3 uint8 BGR image, got float32 \(36, 64, 3\)"),
        (np.zeros((36, 64, 4), np.uint8), r"expected an HxWx3 uint8 BGR image, got uint8 \(36, 64, 4\)"),
        ([[1, 2, 3]], "expected an HxWx3 uint8 BGR image, got list"),
    ],
)
def test_images_must_be_bgr_uint8(bundled_video: BundledEstimator, image: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bundled_video.process(image, 100.0)  # type: ignore[arg-type]


@pytest.mark.model
def test_closed_estimator_refuses_work() -> None:
    est = BundledEstimator("image")
    est.close()
    est.close()  # twice is fine
    with pytest.raises(RuntimeError, match="is closed"):
        est.process(blank(), 0.0)


# -- .task files ------------------------------------------------------------------


def test_task_file_missing(tmp_path: Path) -> None:
    path = tmp_path / "pose_landmarker_full.task"
    with pytest.raises(EstimatorError) as caught:
        TaskFileEstimator(path)
    assert caught.value.message == f"model file {path} does not exist"
    assert caught.value.hint == f"pass a pose_landmarker_lite/full/heavy .task file with --model (downloaded once from {MODEL_PAGE})"


def test_task_path_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(EstimatorError) as caught:
        create_estimator("task", tmp_path)
    assert caught.value.message == f"model path {tmp_path} is not a file"


def _bad_task(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "bad.task"
    if kind == "text":
        path.write_text("this is not a model\n")
    elif kind == "tflite":  # a bare model, not a bundle
        path.write_bytes((mediapipe_modules() / "pose_landmark" / "pose_landmark_full.tflite").read_bytes())
    elif kind == "junk-zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("readme.txt", "hello")
    elif kind == "hand-models":  # the right names, the wrong networks, no metadata
        modules = mediapipe_modules()
        with zipfile.ZipFile(path, "w") as z:
            z.write(modules / "palm_detection" / "palm_detection_lite.tflite", "pose_detector.tflite")
            z.write(modules / "hand_landmark" / "hand_landmark_lite.tflite", "pose_landmarks_detector.tflite")
    return path


@pytest.mark.model
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("text", "Unable to open zip archive."),
        ("tflite", "Unable to open zip archive."),
        (
            "junk-zip",
            "No file with name: pose_detector.tflite. All files in the model asset bundle are: readme.txt.",
        ),
        (
            "hand-models",
            "Input tensor has type float32: it requires specifying NormalizationOptions metadata"
            " to preprocess input images.",
        ),
    ],
)
def test_task_file_that_is_not_a_pose_model(tmp_path: Path, kind: str, reason: str) -> None:
    path = _bad_task(tmp_path, kind)
    with pytest.raises(EstimatorError) as caught:
        create_estimator("task", path)
    assert caught.value.message == f"{path} is not a usable pose landmarker .task model ({reason})"
    assert "--model" in caught.value.hint


@pytest.mark.model
@pytest.mark.parametrize("mode", ["video", "image"])
def test_task_file_runs(wheel_task_file: Path, mode: str) -> None:
    with create_estimator(model=wheel_task_file, mode=mode) as est:
        assert isinstance(est, TaskFileEstimator)
        assert est.name == "mediapipe-task:pose_landmarker_wheel.task"
        # Timestamps 0.1 ms apart round to the same millisecond; the estimator
        # must still hand the graph strictly increasing ones.
        times = [0.0, 0.0001, 0.0002, 0.5]
        frames = [est.process(noise(i), t) for i, t in enumerate(times)]
    assert [f.detected for f in frames] == [False] * 4
    assert [f.timestamp for f in frames] == times
    assert all(f.image_size == (640, 360) for f in frames)


# -- replay -----------------------------------------------------------------------


def write_replay(path: Path, raws: list[RawPose], size: tuple[int, int] = (64, 48)) -> Path:
    header = LandmarksHeader("clip.mp4", size[0], size[1], 30.0, "test-model")
    with LandmarksWriter(path, header) as writer:
        for i, raw in enumerate(raws):
            writer.write(i, raw)
    return path


def some_pose(seed: int, t: float) -> RawPose:
    rng = np.random.default_rng(seed)
    xyz = rng.uniform(0, 1, (33, 3)).astype(np.float32).astype(np.float64)
    vis = rng.uniform(0, 1, 33).astype(np.float32).astype(np.float64)
    return RawPose((64, 48), t, xyz, vis, vis[::-1].copy(), xyz * 0.5)


def test_replay_returns_the_stored_frames(tmp_path: Path) -> None:
    raws = [some_pose(0, 0.0), RawPose.empty((64, 48), 0.1), some_pose(2, 0.2)]
    path = write_replay(tmp_path / "run.jsonl", raws)
    with create_estimator("replay", path) as est:
        assert est.name == "replay:test-model"
        got = [est.process(blank(64, 48), 5.0 + i) for i in range(3)]
        with pytest.raises(InputError) as caught:
            est.process(blank(64, 48), 9.0)
    assert caught.value.message == f"{path} ends after 3 frames; the input has more"
    for frame, raw in zip(got, raws, strict=True):
        live = raw.to_frame()
        assert frame.timestamp == raw.timestamp  # as recorded, not the caller's time
        assert frame.xy.tobytes() == live.xy.tobytes()
        assert frame.visibility.tobytes() == live.visibility.tobytes()
    assert [f.detected for f in got] == [True, False, True]


def test_replay_iterates_like_read_landmarks(tmp_path: Path) -> None:
    path = write_replay(tmp_path / "run.jsonl", [some_pose(i, i / 10) for i in range(4)])
    _, expected = read_landmarks(path)
    with ReplayEstimator(path) as est:
        assert est.header.estimator == "test-model"
        pairs = list(zip(est, expected, strict=True))
    assert len(pairs) == 4
    for (i, a), (j, b) in pairs:
        assert i == j and a.xy.tobytes() == b.xy.tobytes() and a.world.tobytes() == b.world.tobytes()


def test_replay_on_an_input_of_another_size(tmp_path: Path) -> None:
    path = write_replay(tmp_path / "run.jsonl", [some_pose(0, 0.0)])
    with ReplayEstimator(path) as est, pytest.raises(InputError) as caught:
        est.process(blank(640, 360), 0.0)
    assert caught.value.message == f"{path} was recorded on 64x48 frames, but this input is 640x360"


def test_replay_of_a_damaged_file_names_the_line(tmp_path: Path) -> None:
    path = write_replay(tmp_path / "run.jsonl", [some_pose(i, i / 10) for i in range(3)])
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace('"t":', '"t":"x","u":', 1)
    path.write_text("".join(lines))
    with ReplayEstimator(path) as est:
        est.process(blank(64, 48), 0.0)
        with pytest.raises(InputError) as caught:
            est.process(blank(64, 48), 0.1)
    assert caught.value.message == f"{path}, line 3: 't' must be a number, got \"x\""


def test_replay_of_a_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text('{"hello": "world"}\n')
    with pytest.raises(InputError) as caught:
        create_estimator(model=path)
    assert caught.value.message == (
        f'{path}, line 1: not a posecheck landmarks header (expected "format": "posecheck-landmarks")'
    )


# -- real clips -------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.skipif(SAMPLE is None, reason=NO_SAMPLES)
def test_bundled_model_on_a_sample_clip_and_its_exact_replay(tmp_path: Path) -> None:
    from posecheck.io.media import open_media

    clip = SAMPLE
    assert clip is not None
    landmarks = tmp_path / "landmarks.jsonl"
    live = []
    with open_media(clip) as source, BundledEstimator("video") as est:
        header = LandmarksHeader(str(clip), source.info.width, source.info.height, source.info.fps, est.name)
        with LandmarksWriter(landmarks, header) as writer:
            for frame in source:
                raw = est.detect(frame.image, frame.t)
                writer.write(frame.index, raw)
                live.append(raw.to_frame())
                if frame.index >= 59:  # two seconds are enough and keep the test quick
                    break
    detected = [f.detected for f in live]
    assert sum(detected) >= 0.9 * len(live), f"a person found in only {sum(detected)} of {len(live)} frames"
    for f in live:
        if f.detected:
            w, h = f.image_size
            assert (w, h) == (header.width, header.height)
            assert np.nanmin(f.visibility) >= 0 and np.nanmax(f.visibility) <= 1
    # Re-reading the saved landmarks gives bit-identical frames.
    _, replayed = read_landmarks(landmarks)
    for (_, again), first in zip(replayed, live, strict=True):
        assert again.xy.tobytes() == first.xy.tobytes()
        assert again.flags.tobytes() == first.flags.tobytes()
        assert again.timestamp == first.timestamp


@pytest.mark.model
@pytest.mark.skipif(SAMPLE is None, reason=NO_SAMPLES)
def test_task_file_model_agrees_with_the_bundled_one_on_a_sample(wheel_task_file: Path) -> None:
    from posecheck.io.media import open_media

    pairs = []
    with (
        open_media(SAMPLE) as source,
        BundledEstimator("image") as bundled,
        TaskFileEstimator(wheel_task_file, "image") as task,
    ):
        for frame in source:
            if frame.index % 6 == 0:  # every sixth frame keeps the test quick
                pairs.append((bundled.detect(frame.image, frame.t), task.detect(frame.image, frame.t)))
    assert all(b.detected and t.detected for b, t in pairs)
    assert all(t.presence is not None and np.isfinite(t.presence).all() for _, t in pairs)
    # The same networks: landmarks agree closely (the graphs crop a little differently).
    gaps = [np.median(np.abs(b.xyz[:, :2] - t.xyz[:, :2])) for b, t in pairs]
    assert np.median(gaps) < 0.01
