"""The overlay's colours, and its sizes for a given frame height."""

from __future__ import annotations

from posecheck.judge.status import Status

#: BGR colours by status: green ok, amber near, red off, grey unknown.
STATUS_BGR: dict[Status, tuple[int, int, int]] = {
    Status.OK: (80, 200, 60),
    Status.NEAR: (0, 190, 255),
    Status.OFF: (40, 40, 230),
    Status.UNKNOWN: (160, 160, 160),
}
#: Which status wins where several meet: the worst.
STATUS_RANK = {Status.OK: 0, Status.UNKNOWN: 1, Status.NEAR: 2, Status.OFF: 3}
BONE_BGR = (235, 235, 235)
WHITE = (255, 255, 255)
#: About the camera, not the body (a light blue): camera cues and the rest countdown.
CAMERA_BGR = (255, 200, 90)
NOTE_BGR = (220, 220, 220)


def scale_of(height: int) -> float:
    """How much to scale sizes given for a 720-pixel-high frame (never below the 360p size)."""
    return max(height, 360) / 720.0


def px(size: float, unit: float, least: int = 1) -> int:
    """``size`` (pixels at 720p) for a frame of scale ``unit``, at least ``least``."""
    return max(least, round(size * unit))


__all__ = ["BONE_BGR", "CAMERA_BGR", "NOTE_BGR", "STATUS_BGR", "STATUS_RANK", "WHITE", "px", "scale_of"]
