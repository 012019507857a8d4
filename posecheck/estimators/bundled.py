"""The pose model bundled in the mediapipe 0.10.21 wheel (legacy ``solutions`` API).

Only ``model_complexity=1`` ("full") is inside the wheel; 0 ("lite") and 2
("heavy") are downloaded by mediapipe at run time, which posecheck must never
do, so they are not offered here: use a ``.task`` file with
:class:`~posecheck.estimators.taskfile.TaskFileEstimator` for them.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from posecheck.core.landmarks import NUM_LANDMARKS
from posecheck.errors import EstimatorError
from posecheck.estimators.base import Estimator, quiet_native_stderr
from posecheck.io.landmarks_file import RawPose

#: Where the pose landmarker ``.task`` models (lite, full, heavy) are published, for a user to download once.
MODEL_PAGE = "https://ai.google.dev/edge/mediapipe/solutions/vision/pose_landmarker#models"

TASK_HINT = f"pass a pose_landmarker_lite/full/heavy .task file with --model (downloaded once from {MODEL_PAGE})"


def load_mediapipe() -> ModuleType:
    """Import mediapipe on first use, so ``import posecheck`` stays fast without it."""
    try:
        import mediapipe
    except ImportError as err:
        raise EstimatorError(
            f"mediapipe cannot be imported ({err})",
            "install it with: pip install 'mediapipe==0.10.21'",
        ) from err
    return mediapipe


def landmarks_array(landmarks: Any, fields: tuple[str, ...]) -> np.ndarray:
    """``(33, len(fields))`` float64 array of the named fields of a landmark list."""
    if len(landmarks) != NUM_LANDMARKS:
        raise EstimatorError(f"the model returned {len(landmarks)} landmarks instead of {NUM_LANDMARKS}")
    return np.array([[getattr(lm, f) for f in fields] for lm in landmarks], dtype=np.float64)


class BundledEstimator(Estimator):
    """MediaPipe Pose (BlazePose GHUM full) from the mediapipe wheel; needs no files.

    Args:
        mode: ``"video"`` tracks across frames (smoothing on); ``"image"`` runs the
            person detector on every image.
        min_detection_confidence: threshold for finding a person.
        min_tracking_confidence: threshold for keeping track in video mode.
        smooth: MediaPipe's own landmark smoothing across frames (video mode). It lags
            a moving body; recordings are filtered without lag afterwards instead
            (:mod:`posecheck.session.zerolag`), so they turn it off.
    """

    def __init__(
        self,
        mode: str = "video",
        *,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        smooth: bool = True,
    ) -> None:
        super().__init__(mode)
        self.smooth = smooth
        mp = load_mediapipe()
        solutions = getattr(mp, "solutions", None)
        if solutions is None or not hasattr(solutions, "pose"):
            version = getattr(mp, "__version__", "?")
            raise EstimatorError(
                f"mediapipe {version} has no bundled pose model (its 'solutions' API was removed in 0.10.30)",
                f"install mediapipe==0.10.21, or {TASK_HINT}",
            )
        self.name = f"mediapipe-{getattr(mp, '__version__', '?')}-bundled-full"
        try:
            with quiet_native_stderr():
                self._pose = solutions.pose.Pose(
                    static_image_mode=self.mode == "image",
                    model_complexity=1,  # the only one in the wheel; 0 and 2 download
                    smooth_landmarks=smooth,
                    enable_segmentation=False,
                    min_detection_confidence=min_detection_confidence,
                    min_tracking_confidence=min_tracking_confidence,
                )
        except (RuntimeError, ValueError, OSError) as err:
            raise EstimatorError(f"the bundled pose model cannot be loaded ({err})", TASK_HINT) from err

    def _detect(self, image_bgr: np.ndarray, timestamp: float) -> RawPose:
        h, w = image_bgr.shape[:2]
        from posecheck.io.media import bgr_to_rgb  # the media edge (cv2), loaded with the first frame

        rgb = bgr_to_rgb(image_bgr)
        rgb.flags.writeable = False  # lets mediapipe use the buffer without copying
        try:
            result = self._pose.process(rgb)
        except (RuntimeError, ValueError) as err:
            raise EstimatorError(f"the pose model failed on a frame at {timestamp:.3f} s ({err})") from err
        if result.pose_landmarks is None:
            return RawPose.empty((w, h), timestamp)
        points = result.pose_landmarks.landmark
        table = landmarks_array(points, ("x", "y", "z", "visibility"))
        presence = None
        if all(lm.HasField("presence") for lm in points):
            presence = landmarks_array(points, ("presence",))[:, 0]
        world = None
        if result.pose_world_landmarks is not None:
            world = landmarks_array(result.pose_world_landmarks.landmark, ("x", "y", "z"))
        return RawPose((w, h), timestamp, table[:, :3], table[:, 3], presence, world)

    def _release(self) -> None:
        self._pose.close()
