"""Run MediaPipe Pose (legacy solution, model_complexity=1, video mode) on sample clips
and compare with their truth files. Needs mediapipe==0.10.21 (numpy<2), so run it with
the project's main venv, not the render venv:

    .venv/bin/python tools/samplegen/check_mediapipe.py samples/*.mp4 [--json out.json]

Per clip: detection rate; for side-view lunges the median |MediaPipe 2D front-knee
angle - truth 2D angle (joints_2d)| and the same against angles_3d.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

NAMES = ["nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
         "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
         "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
         "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
         "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
         "right_heel", "left_foot_index", "right_foot_index"]


def ang(a, b, c):
    u, w = np.asarray(a, float) - b, np.asarray(c, float) - b
    return float(np.degrees(np.arccos(np.clip(np.dot(u, w) / np.linalg.norm(u) / np.linalg.norm(w), -1, 1))))


def decode(path):
    import av
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            yield f.to_ndarray(format="rgb24")


def check(path):
    import mediapipe as mp
    truth = json.loads(Path(str(path).replace(".mp4", ".truth.json")).read_text())
    W, H = truth["width"], truth["height"]
    det, rows = 0, []
    px_err = []
    with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
        for i, rgb in enumerate(decode(path)):
            res = pose.process(rgb)
            fr = truth["per_frame"][i]
            if res.pose_landmarks is None:
                continue
            det += 1
            lm = {n: np.array([l.x * W, l.y * H]) for n, l in zip(NAMES, res.pose_landmarks.landmark)}
            for n in ("left_knee", "right_knee", "left_ankle", "right_ankle", "left_hip", "right_hip"):
                if not fr["occluded"][n]:
                    px_err.append(np.linalg.norm(lm[n] - np.array(fr["joints_2d"][n])))
            side = fr["front_side"]
            if side and fr["in_pose"]:
                j2 = {k: np.array(v) for k, v in fr["joints_2d"].items()}
                mp_a = ang(lm[f"{side}_hip"], lm[f"{side}_knee"], lm[f"{side}_ankle"])
                t2 = ang(j2[f"{side}_hip"], j2[f"{side}_knee"], j2[f"{side}_ankle"])
                rows.append((mp_a, t2, fr["angles_3d"][f"{side}_knee"]))
            elif truth["pose"] == "frog":
                j2 = {k: np.array(v) for k, v in fr["joints_2d"].items()}
                for s in ("left", "right"):
                    mp_a = ang(lm[f"{s}_hip"], lm[f"{s}_knee"], lm[f"{s}_ankle"])
                    t2 = ang(j2[f"{s}_hip"], j2[f"{s}_knee"], j2[f"{s}_ankle"])
                    rows.append((mp_a, t2, fr["angles_3d"][f"{s}_knee"]))
    n = truth["frames"]
    out = {"clip": Path(path).name, "view": truth["view"], "frames": n, "detected": det,
           "detection_rate": round(det / n, 3),
           "median_px_err_leg_joints": round(float(np.median(px_err)), 1) if px_err else None}
    if rows:
        r = np.array(rows)
        out["median_abs_err_vs_2d"] = round(float(np.median(np.abs(r[:, 0] - r[:, 1]))), 2)
        out["median_abs_err_vs_3d"] = round(float(np.median(np.abs(r[:, 0] - r[:, 2]))), 2)
        out["max_abs_err_vs_2d"] = round(float(np.max(np.abs(r[:, 0] - r[:, 1]))), 2)
        out["median_truth_2d_vs_3d"] = round(float(np.median(np.abs(r[:, 1] - r[:, 2]))), 2)
        out["angle_kind"] = "front knee" if truth["pose"] != "frog" else "both knees"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("clips", nargs="+")
    ap.add_argument("--json")
    a = ap.parse_args()
    res = []
    for c in a.clips:
        r = check(c)
        res.append(r)
        print(json.dumps(r), flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(res, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
