"""Draw the projected ground-truth joints on a rendered frame (to check alignment)."""
from __future__ import annotations

from PIL import Image, ImageDraw

EDGES = [("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"), ("right_shoulder", "right_elbow"),
         ("right_elbow", "right_wrist"), ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
         ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"), ("left_hip", "left_knee"),
         ("left_knee", "left_ankle"), ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
         ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"), ("right_ankle", "right_heel"),
         ("right_heel", "right_foot_index")]


def overlay_png(res, path, frame=None):
    truth = res["truth"]
    k = truth["frames"] // 2 if frame is None else frame
    f = truth["per_frame"][k]
    img = Image.fromarray(res["mid_rgb"])
    d = ImageDraw.Draw(img)
    j = f["joints_2d"]
    for a, b in EDGES:
        col = (255, 60, 60) if a.startswith("left") else (60, 255, 60) if a.startswith("right") else (255, 255, 0)
        d.line([tuple(j[a]), tuple(j[b])], fill=col, width=1)
    for n, (x, y) in j.items():
        col = (255, 0, 0) if n.startswith("left") else (0, 255, 0) if n.startswith("right") else (255, 255, 0)
        r = 2 if f["occluded"][n] else 4
        d.ellipse([x - r, y - r, x + r, y + r], outline=col if not f["occluded"][n] else (0, 0, 255))
    img.save(path)
