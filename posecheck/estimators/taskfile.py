"""MediaPipe's Tasks API ``PoseLandmarker`` run from a user-supplied ``.task`` file.

This is the route to the lite and heavy models (and to mediapipe releases
without the bundled model): the user downloads ``pose_landmarker_*.task`` once
and passes it with ``--model``. Nothing is fetched at run time.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from posecheck.errors import EstimatorError
from posecheck.estimators.base import Estimator, quiet_native_stderr
from posecheck.estimators.bundled import TASK_HINT, landmarks_array, load_mediapipe
from posecheck.io.landmarks_file import RawPose


class TaskFileEstimator(Estimator):
    """A ``PoseLandmarker`` (one person) built from a ``.task`` model file.

    Args:
        model_path: a ``pose_landmarker_*.task`` file.
        mode: ``"video"`` (running mode VIDEO, tracking) or ``"image"`` (IMAGE).
        min_detection_confidence: threshold for finding a person.
        min_presence_confidence: threshold for the person still being there.
        min_tracking_confidence: threshold for keeping track in video mode.

    Raises:
        EstimatorError: the file is missing or is not a pose landmarker model.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str],
        mode: str = "video",
        *,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        super().__init__(mode)
        path = Path(model_path)
        if not path.exists():
            raise EstimatorError(f"model file {path} does not exist", TASK_HINT)
        if not path.is_file():
            raise EstimatorError(f"model path {path} is not a file", TASK_HINT)
        self.model_path = path
        self.name = f"mediapipe-task:{path.name}"
        mp = load_mediapipe()
        try:
            from mediapipe.tasks.python import BaseOptions, vision
        except ImportError as err:
            raise EstimatorError(
                f"mediapipe {getattr(mp, '__version__', '?')} has no Tasks API ({err})",
                "install mediapipe==0.10.21",
            ) from err
        running_mode = vision.RunningMode.VIDEO if self.mode == "video" else vision.RunningMode.IMAGE
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=running_mode,
            num_poses=1,
            min_pose_detection_confidence=min_detection_confidence,
            min_pose_presence_confidence=min_presence_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_segmentation_masks=False,
        )
        try:
            with quiet_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise EstimatorError(
                f"{path} is not a usable pose landmarker .task model ({reason})", TASK_HINT
            ) from err
        self._mp = mp
        self._last_ms = -1

    def _detect(self, image_bgr: np.ndarray, timestamp: float) -> RawPose:
        h, w = image_bgr.shape[:2]
        from posecheck.io.media import bgr_to_rgb  # the media edge (cv2), loaded with the first frame

        rgb = bgr_to_rgb(image_bgr)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        try:
            if self.mode == "video":
                # The graph needs strictly increasing integer milliseconds; two
                # frames closer than 1 ms apart would otherwise collide.
                ms = max(round(timestamp * 1000.0), self._last_ms + 1)
                self._last_ms = ms
                result = self._landmarker.detect_for_video(image, ms)
            else:
                result = self._landmarker.detect(image)
        except (RuntimeError, ValueError) as err:
            raise EstimatorError(f"the pose model failed on a frame at {timestamp:.3f} s ({err})") from err
        if not result.pose_landmarks:
            return RawPose.empty((w, h), timestamp)
        table = landmarks_array(result.pose_landmarks[0], ("x", "y", "z", "visibility", "presence"))
        # The Tasks API leaves unset scores as None; NaN keeps "missing" explicit.
        world = None
        if result.pose_world_landmarks:
            world = landmarks_array(result.pose_world_landmarks[0], ("x", "y", "z"))
        return RawPose((w, h), timestamp, table[:, :3], table[:, 3], table[:, 4], world)

    def _release(self) -> None:
        self._landmarker.close()
