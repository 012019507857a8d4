"""Landmark estimators: the bundled model, a ``.task`` file, or a saved replay.

Importing this package does not import mediapipe; the model is loaded when an
estimator is created.
"""

from __future__ import annotations

import os
from pathlib import Path

from posecheck.errors import EstimatorError
from posecheck.estimators.base import MODES, Estimator, Mode
from posecheck.estimators.bundled import MODEL_PAGE, BundledEstimator
from posecheck.estimators.replay import ReplayEstimator
from posecheck.estimators.taskfile import TaskFileEstimator

__all__ = [
    "ESTIMATOR_KINDS",
    "MODES",
    "BundledEstimator",
    "Estimator",
    "Mode",
    "ReplayEstimator",
    "TaskFileEstimator",
    "create_estimator",
]

#: Names accepted by :func:`create_estimator`.
ESTIMATOR_KINDS: tuple[str, ...] = ("bundled", "task", "replay")
#: Model sizes mediapipe would download at run time, which posecheck never does.
_DOWNLOADED_MODELS = ("lite", "heavy")


def create_estimator(
    kind: str = "bundled",
    model: str | os.PathLike[str] | None = None,
    mode: str = "video",
    smooth: bool = True,
) -> Estimator:
    """Make the estimator a command line asks for.

    Args:
        kind: ``"bundled"`` (the model in the mediapipe wheel), ``"task"`` (a
            ``.task`` file given as ``model``) or ``"replay"`` (a
            ``landmarks.jsonl`` given as ``model``). With the default
            ``"bundled"`` and a ``model``, the file's suffix decides:
            ``.task`` means ``"task"``, ``.jsonl`` means ``"replay"``.
        model: the model or landmarks file.
        mode: ``"video"`` or ``"image"``; ignored by ``"replay"``.
        smooth: the bundled model's own landmark smoothing across video frames (a ``.task``
            model smooths inside its graph, which cannot be switched off).

    Raises:
        EstimatorError: unknown kind, a downloaded model size asked for, or a
            missing or unusable model.
        InputError: an invalid replay file.
    """
    name = kind.strip().lower()
    model_path = Path(model) if model is not None else None
    if name in _DOWNLOADED_MODELS or (
        model_path is not None and str(model_path).lower() in _DOWNLOADED_MODELS and not model_path.exists()
    ):
        size = name if name in _DOWNLOADED_MODELS else str(model_path).lower()
        raise EstimatorError(
            f"the {size} pose model is not bundled with mediapipe and posecheck never downloads models",
            f"download pose_landmarker_{size}.task once from {MODEL_PAGE} and pass the file with --model",
        )
    if name == "bundled" and model_path is not None:
        name = _kind_from_suffix(model_path)
    if name == "bundled":
        return BundledEstimator(mode, smooth=smooth)
    if name == "task":
        if model_path is None:
            raise EstimatorError("the 'task' estimator needs a model file", "pass a .task file with --model")
        return TaskFileEstimator(model_path, mode)
    if name == "replay":
        if model_path is None:
            raise EstimatorError(
                "the 'replay' estimator needs a landmarks file", "pass a landmarks.jsonl file"
            )
        return ReplayEstimator(model_path)
    raise EstimatorError(f"unknown estimator {kind!r}", f"use one of {', '.join(ESTIMATOR_KINDS)}")


def _kind_from_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".task":
        return "task"
    if suffix == ".jsonl":
        return "replay"
    raise EstimatorError(
        f"cannot tell what kind of model {path} is",
        "pass a .task model file, or a landmarks .jsonl file to replay",
    )
