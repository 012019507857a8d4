"""What the overlay shows besides the body: the texts and timers of one frame."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OverlayInfo:
    """What the overlay shows besides the skeleton.

    Attributes:
        title: the pose's title.
        cue: the one cue to show (None for none).
        cue_is_camera: the cue is about the camera or visibility (drawn in another colour).
        hold_s: seconds in good form toward the hold target (None hides the timer).
        hold_target_s: the hold's target.
        pose_s: seconds in the pose in this hold, good form or not (None: not shown).
        fps: frames per second to show (None hides it).
        note: a small line under the title (e.g. "paused", "voice off").
        help_lines: the help overlay's lines, each a key and what it does separated by two
            or more spaces (``"q / Esc   quit"``); empty hides it.
        step: a routine's step line (``Step 2 of 21: Kneeling lunge, left``), drawn on a
            band across the top in place of the title (empty: none).
        rest_s: seconds of rest left, shown in place of the hold timer (None: not resting).
    """

    title: str = ""
    cue: str | None = None
    cue_is_camera: bool = False
    hold_s: float | None = None
    hold_target_s: float | None = None
    fps: float | None = None
    note: str = ""
    help_lines: tuple[str, ...] = ()
    step: str = ""
    rest_s: float | None = None
    pose_s: float | None = None

    @classmethod
    def of(cls, f) -> OverlayInfo:  # noqa: ANN001 - a SessionFrame
        """What the overlay shows for one of the session's frames."""
        r = f.routine
        cue = f.cue
        timer = r is None or r.rest_s is None
        return cls(title=f.title if r is None else "", cue=cue.text if cue is not None else None,
                   cue_is_camera=cue is not None and cue.kind == "camera",
                   hold_s=f.hold_s if timer else None, hold_target_s=f.hold_target_s,
                   pose_s=f.pose_s if timer else None, note=f.note, step=r.banner if r is not None else "",
                   rest_s=r.rest_s if r is not None else None)


def side_label(side: str | None) -> str:
    """``left leg forward`` for a side, empty for none."""
    return f"{side} leg forward" if side else ""


__all__ = ["OverlayInfo", "side_label"]
