"""The report's worst moments: which frames, the cue each showed, and a still of each."""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

import numpy as np

from posecheck.io.media import VIDEO_EXTENSIONS
from posecheck.render.report.frames import Frames

#: The still frames are scaled down to this width.
STILL_WIDTH = 560

#: Worst moments at least this far apart (seconds), so three are not one slip.
MIN_GAP_S = 1.0


def worst_moments(frames: Frames, n: int = 3, min_gap_s: float = MIN_GAP_S) -> list[int]:
    """Row indices of the ``n`` lowest-scoring frames in the pose, at least ``min_gap_s`` apart.

    Frames out of the pose count only when the person was never in it; frames that
    could not be judged never count (a moment the tool could not see is not bad form).
    Among frames that are equally bad, the moments are spread over the time they cover
    (the first, then each as far from those chosen as can be), so a hold that was wrong
    throughout shows its start, end and middle, not three looks at its first seconds.
    """
    judged = np.isfinite(frames.score) & frames.person
    pool = judged & frames.in_pose if (judged & frames.in_pose).any() else judged
    idx = np.flatnonzero(pool)
    if not idx.size:
        return []
    offs = np.zeros(len(frames.t))
    for st in frames.status.values():
        offs += np.asarray([s == "off" for s in st], dtype=float)
    t = frames.t
    rank = {int(i): (float(frames.score[i]), -float(offs[i])) for i in idx}
    left = sorted((int(i) for i in idx), key=lambda i: (rank[i], t[i]))
    chosen: list[int] = []
    while len(chosen) < n:
        left = [i for i in left if all(abs(t[i] - t[j]) >= min_gap_s for j in chosen)]
        if not left:
            break
        level = rank[left[0]]
        tied = [i for i in left if rank[i] == level]
        # The earliest first (ordered by time within a level), then the farthest from those chosen.
        pick = max(tied, key=lambda i: (min(abs(t[i] - t[j]) for j in chosen), -t[i])) if chosen else tied[0]
        chosen.append(pick)
    return sorted(chosen, key=lambda i: t[i])


def cue_at(frames: Frames, i: int, spec, checks: dict) -> tuple[str, str]:  # noqa: ANN001
    """The cue for row ``i`` and the check it is about.

    The cue that was on screen (frames.csv's ``cue``), with the check it came from; for a
    file written before that column existed, the correction of the weightiest off (else
    near) check.

    Args:
        frames: the frames.
        i: the row.
        spec: the pose's spec (None: a spec since removed).
        checks: the run's (or segment's) check statistics by id.
    """
    if frames.cue is not None and frames.cue[i]:
        shown = frames.cue[i]
        about = next((cid for cid in checks
                      if any(pre and shown.startswith(pre) for pre in _cues_of(spec, cid))), "")
        return shown, about
    from posecheck.judge.wording import format_cue

    for wanted in ("off", "near"):
        cands = [c for c, st in frames.status.items() if st[i] == wanted]
        if not cands:
            continue
        check = None
        if spec is not None:
            cid = max(cands, key=lambda c: spec.find_check(c).weight if spec.find_check(c) else 0.0)
            check = spec.find_check(cid)
        else:
            cid = cands[0]
        value = frames.values[cid][i]
        if check is not None and math.isfinite(value):
            dev = check.target.deviation(value)
            text = check.cues.below if dev < 0 else check.cues.above
            if text:
                return format_cue(text, frames.side[i] or None, value, check.target.describe()), cid
        stats = checks.get(cid)
        return ((stats.most_common_cue if stats is not None else None) or f"{cid} is {wanted}"), cid
    if frames.camera_cue[i]:
        return frames.camera_cue[i], ""
    return (spec.praise if spec is not None else "Good form."), ""


def _cues_of(spec, cid: str) -> tuple[str, ...]:  # noqa: ANN001
    """The fixed words of a check's cues (the text before the first placeholder), to tell which check a cue is from."""
    check = spec.find_check(cid) if spec is not None else None
    if check is None:
        return ()
    return tuple(c.split("{")[0] for c in (check.cues.below, check.cues.above) if c)


def still_uri(image: np.ndarray) -> str:
    """A BGR picture as a JPEG data URI, scaled to :data:`STILL_WIDTH`."""
    from PIL import Image

    rgb = np.ascontiguousarray(image[..., ::-1])
    pic = Image.fromarray(rgb)
    if pic.width > STILL_WIDTH:
        pic = pic.resize((STILL_WIDTH, round(pic.height * STILL_WIDTH / pic.width)), Image.LANCZOS)
    buf = io.BytesIO()
    pic.save(buf, format="JPEG", quality=82, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class StillSource:
    """A video to take the stills from, and how its pictures line up with ``frames.csv``.

    Args:
        path: the video.
        by_row: its pictures are the rows of ``frames.csv`` in order (a live recording, which
            holds one picture per frame shown, at a rate that only roughly follows the
            session's clock); otherwise its timestamps are the session's (``annotated.mp4``, the input).
    """

    def __init__(self, path: Path, by_row: bool = False) -> None:
        self.path, self.by_row = Path(path), by_row

    @property
    def name(self) -> str:
        return self.path.name

    def grab(self, times: list[float], rows: list[int]) -> list[str | None]:
        """JPEG data URIs of the pictures for ``times`` (or ``rows``); None where there is none."""
        from posecheck.errors import PosecheckError
        from posecheck.io.media import open_media

        out: list[str | None] = [None] * len(times)
        if not times:
            return out
        best: list[tuple[float, np.ndarray | None]] = [(math.inf, None) for _ in times]
        want = [float(r) for r in rows] if self.by_row else list(times)
        last = max(want)
        try:
            with open_media(self.path) as src:
                for k, f in enumerate(src):
                    at = float(k) if self.by_row else f.t
                    for j, w in enumerate(want):
                        d = abs(at - w)
                        if d < best[j][0]:
                            best[j] = (d, f.image)
                    if at > last + 0.5:
                        break
        except (PosecheckError, OSError):
            return out
        near = 0.5 if self.by_row else 1.0
        for j, (d, image) in enumerate(best):
            if image is not None and d < near:
                out[j] = still_uri(image)
        return out


def grab_stills(video: Path, times: list[float]) -> list[str | None]:
    """JPEG data URIs of the frames nearest ``times`` in ``video`` (None where it cannot be read)."""
    return StillSource(video).grab(times, [])


def still_source(results_dir: Path, input_name: str, recording: Path | None) -> StillSource | None:
    """Where the stills come from: ``annotated.mp4`` of a score run, else a live recording (one
    picture per row), else the input when it is a video file (found as given or beside the results)."""
    if (results_dir / "annotated.mp4").is_file():
        return StillSource(results_dir / "annotated.mp4")
    if recording is not None and Path(recording).is_file():
        return StillSource(recording, by_row=True)
    name = input_name or ""
    if name and not name.isdigit():
        for cand in (Path(name), results_dir / name):
            if cand.is_file() and cand.suffix.lower() in VIDEO_EXTENSIONS:
                return StillSource(cand)
    return None


__all__ = ["MIN_GAP_S", "STILL_WIDTH", "StillSource", "cue_at", "grab_stills", "still_source", "still_uri",
           "worst_moments"]
