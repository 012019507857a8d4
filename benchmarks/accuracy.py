"""Accuracy of every check on the labelled samples, against their ground truth.

Run: ``.venv/bin/python benchmarks/accuracy.py [--markdown docs/accuracy.md]``.
Prints, per pose, view and check: frames, median and 95th-percentile absolute error,
status agreement, and the share of frames judged.
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from posecheck.specs import SpecLibrary  # noqa: E402
from tools.evaluation import CheckAccuracy, evaluate_clip_full, labelled_clips  # noqa: E402


def _fmt(x: float, digits: int = 1) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=Path, default=ROOT / "samples")
    ap.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    args = ap.parse_args()
    lib = SpecLibrary()
    t0 = time.time()
    per_clip: dict[str, dict[str, CheckAccuracy]] = {}
    confusion: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    recognised: dict[str, tuple[str, dict[str | None, int]]] = {}
    for clip in labelled_clips(args.samples, lib):
        ev = evaluate_clip_full(clip, lib)
        per_clip[clip.name] = ev.checks
        if ev.recognised:
            recognised[clip.name] = (ev.pose, ev.recognised)
        for got, n in ev.recognised.items():
            confusion[ev.pose][got] += n
        print(f"scored {clip.name}", file=sys.stderr)
    groups: dict[tuple[str, str, str], list[CheckAccuracy]] = defaultdict(list)
    for r in per_clip.values():
        for a in r.values():
            view = a.view if a.view_ok else f"{a.view} (wrong view)"
            groups[(a.pose, view, a.check)].append(a)

    lines = ["| pose | view | check | clips | frames | median abs err | p95 abs err | status agreement "
             "(exact) | judged |", "|---|---|---|---|---|---|---|---|---|"]
    for (pose, view, check), accs in sorted(groups.items()):
        errors = [e for a in accs for e in a.errors]
        frames = sum(a.frames for a in accs)
        pose_frames = sum(a.pose_frames for a in accs)
        agree = sum(a.status_agree for a in accs) / pose_frames if pose_frames else math.nan
        exact = sum(a.status_exact for a in accs) / pose_frames if pose_frames else math.nan
        judged = sum(a.judged for a in accs) / frames if frames else math.nan
        unit = "°" if "angle" in check or check in ("torso_upright", "chest_lifted", "front_foot_flat") else ""
        med = float(np.median(errors)) if errors else math.nan
        p95 = float(np.percentile(errors, 95)) if errors else math.nan
        digits = 1 if unit else 3
        lines.append(f"| {pose} | {view} | {check} | {len(accs)} | {frames} | {_fmt(med, digits)}{unit if errors else ''} "
                     f"| {_fmt(p95, digits)}{unit if errors else ''} | {_fmt(100 * agree, 0)}% ({_fmt(100 * exact, 0)}%) "
                     f"| {_fmt(100 * judged, 0)}% |")
    failures = {}
    fail_file = args.samples / "model_failures.json"
    if fail_file.exists():
        import json

        failures = json.loads(fail_file.read_text())
    key = ("front_knee_angle", "knee_over_ankle", "left_shin_thigh_angle", "right_shin_thigh_angle")
    lines += ["", "Per clip, for the checks that must always be right:", "",
              "| clip | check | frames | median abs err | p95 abs err | status agreement | judged | note |",
              "|---|---|---|---|---|---|---|---|"]
    for clip, r in sorted(per_clip.items()):
        for cid in key:
            if cid not in r:
                continue
            a = r[cid]
            unit = "°" if "angle" in cid else ""
            digits = 1 if unit else 3
            note = "wrong view" if not a.view_ok else ("model loses the legs" if clip in failures else "")
            lines.append(f"| {clip} | {cid} | {a.frames} | {_fmt(a.median_error, digits)}{unit if a.errors else ''} "
                         f"| {_fmt(a.p95_error, digits)}{unit if a.errors else ''} | {_fmt(100 * a.status_agreement, 0)}% "
                         f"| {_fmt(100 * a.judged_share, 0)}% | {note} |")
    tracked = {c: r for c, r in per_clip.items() if c not in failures}
    knee = [e for r in tracked.values() for cid, a in r.items()
            if cid == "front_knee_angle" and a.view_ok and a.view == "side" for e in a.errors]
    extra = []
    if knee:
        extra.append(f"- front knee, side view, clips where the model tracks the legs: median error "
                     f"{np.median(knee):.1f}°, 95th percentile {np.percentile(knee, 95):.1f}° ({len(knee)} frames).")
    for cid in ("front_knee_angle", "knee_over_ankle"):
        accs = [r[cid] for r in tracked.values() if cid in r and r[cid].view_ok and r[cid].pose == "kneeling_lunge"]
        if accs:
            agree = sum(a.status_agree for a in accs) / max(sum(a.pose_frames for a in accs), 1)
            extra.append(f"- {cid} status agreement (kneeling lunge, tracked clips, frames in the pose): {100 * agree:.1f}%.")
    for clip, why in failures.items():
        r = per_clip.get(clip, {})
        a = r.get("front_knee_angle")
        if a is not None:
            wrong = a.judged - a.status_agree
            extra.append(f"- {clip}: {why} The tool judged {100 * a.judged_share:.0f}% of frames and gave a "
                         f"wrong front-knee verdict in {100 * wrong / max(a.pose_frames, 1):.0f}%; the rest say "
                         f"it cannot see the knee.")
    sign = [a for r in tracked.values() for a in r.values() if a.sign_frames]
    if sign:
        s_agree = sum(a.sign_agree for a in sign) / sum(a.sign_frames for a in sign)
        extra.append(f"- knee over ankle, direction (ahead / stacked / behind) right in "
                     f"{100 * s_agree:.1f}% of {sum(a.sign_frames for a in sign)} measured frames (tracked clips).")
    frog = [a for r in per_clip.values() for a in r.values()
            if a.check.endswith("shin_thigh_angle") and a.view == "back-high" and a.view_ok]
    if frog:
        within = sum(a.share_within(10.0) * len(a.errors) for a in frog) / sum(a.frames for a in frog)
        extra.append(f"- frog from high behind: shin–thigh angle within 10° of the true 3D angle in "
                     f"{100 * within:.1f}% of frames.")
    wrong = [a for r in per_clip.values() for a in r.values() if not a.view_ok]
    if wrong:
        cam = sum(a.unknown_with_camera_cue for a in wrong) / sum(a.frames for a in wrong)
        offs = sum(a.off_when_unknown_expected for a in wrong)
        extra.append(f"- wrong camera view: unknown with a camera instruction in {100 * cam:.1f}% of check-frames, "
                     f"'off' verdicts: {offs}.")
    poses = sorted(confusion)
    seen = sorted({g for row in confusion.values() for g in row if g is not None})
    cols = seen + [None]
    conf_lines = ["", "Pose recognition (`--pose auto`, all twelve poses known), frames in the pose, "
                  "right view (every clip whose view the pose's spec accepts): rows are the true pose, columns "
                  "what was recognised (after the 0.6 s steadying).", "",
                  "| true \\ recognised | " + " | ".join(c or "none" for c in cols) + " | right |",
                  "|---|" + "---|" * (len(cols) + 1)]
    right = total = 0
    for p in poses:
        row = confusion[p]
        n = sum(row.values())
        right += row.get(p, 0)
        total += n
        conf_lines.append(f"| {p} | " + " | ".join(str(row.get(c, 0)) for c in cols)
                          + f" | {100 * row.get(p, 0) / n:.0f}% |" if n else f"| {p} | — |")
    if total:
        other = sum(n for p, row in confusion.items() for g, n in row.items() if g not in (p, None))
        extra.append(f"- pose recognition right in {100 * right / total:.1f}% of {total} in-pose frames "
                     f"(right view, every clip); another pose named in {other} ({100 * other / total:.1f}%).")
        low = []
        for clip, (pose, row) in sorted(recognised.items()):
            n = sum(row.values())
            if n and row.get(pose, 0) < 0.9 * n:
                note = " (model loses the legs)" if clip in failures else ""
                low.append(f"{clip} {100 * row.get(pose, 0) / n:.0f}% (none {row.get(None, 0)}, another pose "
                           f"{n - row.get(pose, 0) - row.get(None, 0)}){note}")
        if low:
            extra.append("- pose recognition below 90% of a clip's in-pose frames: " + "; ".join(low) + ". A new "
                         "answer must hold 0.6 s before the label changes, so a clip whose first frames the model "
                         "cannot read yet starts with that much more 'none'.")
    text = "\n".join(lines + conf_lines + [""] + extra)
    print(text)
    if args.markdown:
        head = (f"# Accuracy on the labelled samples\n\n"
                f"Generated by `benchmarks/accuracy.py` ({len(per_clip)} clips, {time.time() - t0:.0f} s, "
                f"Python {platform.python_version()}, MediaPipe Pose 0.10.21 full model). Errors compare what "
                f"`frames.csv` reports (smoothed) with the truth of `samples/*.truth.json`: the rig's joints "
                f"projected into the image, or for floor-plane angles the true 3D angle. Status agreement is "
                f"against the status a correct tool gives (`unknown` for a view the pose cannot be judged "
                f"from), over the frames in which the person is in the pose; the first figure counts the "
                f"neighbouring status as right where the true value lies within the model's accuracy "
                f"(5°, 0.04) of a band edge, the one in brackets does not. Samples are rendered bodies, "
                f"so real footage may do somewhat worse.\n\n")
        args.markdown.write_text(head + text + "\n")


if __name__ == "__main__":
    main()
