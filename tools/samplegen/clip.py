"""Render one clip: pose every frame, place the camera, render, encode, write truth."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .appearance import phenotype, vertex_colours
from .contact import ContactSolver
from .geometry import rot_axis
from .rig import Body
from .scene import MAT_TOP, Camera, Renderer, Room
from .scripts import Script
from .truth import frame_truth

VIEW_DIRS = {"side-left": [1.0, 0, 0], "side-right": [-1.0, 0, 0], "front": [0, 0, 1.0],
             "back-high": [0, 0, -1.0], "front-floor": [0, 0, 1.0]}


@dataclass
class BodySpec:
    sex: str
    build: str
    skin: str
    top: str
    bottom: str
    hair: str = "brown"
    sleeves: str = "short"
    seed: int = 0


@dataclass
class CameraSpec:
    view: str                 # side | front | back-high | front-floor
    side: str = "left"        # for side views: the person's side the camera is on
    height: float = 0.8       # metres above the floor
    distance: float = 3.0     # horizontal distance to the target (side/front/front-floor)
    pitch: float | None = None  # back-high: downward look (deg), sets the distance
    yaw: float = 0.0          # off-square angle about the vertical (deg)
    yfov: float = 42.0
    target_y: float | None = None  # override the aim height


@dataclass
class ClipSpec:
    name: str
    pose: str
    steps: list
    body: BodySpec
    camera: CameraSpec
    room: Room
    view_ok: bool = True
    seed: int = 0
    fps: int = 24
    width: int = 960
    height: int = 540
    anchor: tuple = ("left_ankle", "right_ankle")
    notes: str = ""
    extra: dict = field(default_factory=dict)


def make_camera(spec: CameraSpec, joints_all: np.ndarray, w: int, h: int) -> Camera:
    lo, hi = joints_all.min(0), joints_all.max(0)
    c = (lo + hi) / 2
    target = np.array([c[0], c[1] if spec.target_y is None else spec.target_y, c[2]])
    key = f"side-{spec.side}" if spec.view == "side" else spec.view
    d = rot_axis([0, 1, 0], spec.yaw) @ np.array(VIEW_DIRS[key])
    if spec.view == "back-high":
        horiz = (spec.height - target[1]) / np.tan(np.radians(spec.pitch))
    else:
        horiz = spec.distance
    pos = target + horiz * d
    pos[1] = spec.height
    return Camera(pos, target, spec.yfov, w, h)


def render_clip(spec: ClipSpec, out_dir: Path, log=print) -> dict:
    from .encode import Writer

    t_start = time.time()
    body = Body(phenotype(spec.body.sex, spec.body.build))
    colours = vertex_colours(body, spec.body.skin, spec.body.top, spec.body.bottom, spec.body.hair,
                             spec.body.sleeves, rng=np.random.default_rng(spec.body.seed))
    solver = ContactSolver(body, MAT_TOP)
    script = Script(spec.steps, seed=spec.seed)
    n = int(round(script.duration * spec.fps))
    frames = []
    for i in range(n):
        t = i / spec.fps
        pf = script.frame(t, body, solver)
        placed = solver.place(pf)
        lm = body.landmarks(placed.posed)
        frames.append((pf, placed, lm))
    # horizontal anchoring: the anchor point stays put; frame 0 centred on the mat
    def anchor(lm):
        return np.mean([lm[a] for a in spec.anchor], axis=0)
    # centre on the mat by the middle frame (in pose for the in-and-out clips)
    mid = frames[n // 2][2]
    jm = np.array(list(mid.values()))
    centre = (jm.min(0) + jm.max(0)) / 2
    a0 = anchor(mid) + np.array([-centre[0], 0, 0.15 - centre[2]])
    posed, lms = [], []
    for pf, placed, lm in frames:
        a = anchor(lm)
        shift = np.array([a0[0] - a[0], 0.0, a0[2] - a[2]])
        p = placed.posed.translated(shift)
        posed.append(p)
        lms.append({k: v + shift for k, v in lm.items()})
    joints_all = np.concatenate([np.array(list(l.values())) for l in lms[:: max(1, n // 8)]])
    cam = make_camera(spec.camera, joints_all, spec.width, spec.height)
    renderer = Renderer(spec.room, cam)
    out_dir.mkdir(parents=True, exist_ok=True)
    video = out_dir / f"{spec.name}.mp4"
    writer = Writer(video, spec.fps, spec.width, spec.height)
    per_frame = []
    first_png = None
    for i, (p, lm, (pf, placed, _)) in enumerate(zip(posed, lms, frames)):
        rgb, depth = renderer.render(p.vertices, body.faces, colours)
        writer.write(rgb)
        if i == n // 2:
            first_png = rgb
        per_frame.append(frame_truth(i, spec.fps, lm, cam, depth, pf.in_pose, pf.front_side))
    writer.close()
    renderer.close()
    cam_info = {
        "position": [round(float(x), 4) for x in cam.position],
        "target": [round(float(x), 4) for x in cam.target],
        "yfov_deg": spec.camera.yfov,
        "height_m": round(float(cam.position[1]), 4),
        "distance_m": round(float(np.linalg.norm(cam.position - cam.target)), 4),
        "pitch_deg": round(cam.pitch_deg, 2),
    }
    truth = {
        "clip": video.name, "pose": spec.pose, "view": spec.camera.view, "view_ok": spec.view_ok,
        "fps": spec.fps, "width": spec.width, "height": spec.height, "frames": n,
        "body": {"sex": spec.body.sex, "build": spec.body.build, "skin": spec.body.skin,
                 "seed": spec.body.seed, "top": spec.body.top, "bottom": spec.body.bottom},
        "camera": cam_info,
        "generator": {"seed": spec.seed, "notes": spec.notes},
        "per_frame": per_frame,
    }
    _write_truth(out_dir / f"{spec.name}.truth.json", truth)
    log(f"{spec.name}: {n} frames in {time.time() - t_start:.0f}s, {video.stat().st_size // 1024} KiB")
    return {"truth": truth, "mid_rgb": first_png, "camera": cam, "lms": lms}


def _write_truth(path: Path, truth: dict):
    head = {k: v for k, v in truth.items() if k != "per_frame"}
    s = json.dumps(head, separators=(", ", ": "))[:-1]
    lines = [json.dumps(f, separators=(",", ":")) for f in truth["per_frame"]]
    path.write_text(s + ', "per_frame": [\n' + ",\n".join(lines) + "\n]}\n")
