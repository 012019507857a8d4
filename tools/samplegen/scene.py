"""Room, mat, lights, camera and the offscreen renderer (pyrender on OSMesa).

The camera is a pyrender PerspectiveCamera; `Camera.project` uses exactly the
same intrinsics/extrinsics, so projected ground-truth joints line up with the
rendered pixels (x right, y down, origin top-left, pixel centres at +0.5).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
import numpy as np

if not hasattr(np, "infty"):
    np.infty = np.inf  # pyrender uses np.infty, removed in NumPy 2
import pyrender  # noqa: E402
import trimesh  # noqa: E402

from .geometry import rot_axis, unit  # noqa: E402

MAT_TOP = 0.005


@dataclass
class Camera:
    position: np.ndarray
    target: np.ndarray
    yfov_deg: float
    width: int
    height: int

    @property
    def pose(self) -> np.ndarray:
        z = unit(self.position - self.target)          # camera looks along -z
        x = unit(np.cross([0.0, 1.0, 0.0], z))
        y = np.cross(z, x)
        M = np.eye(4)
        M[:3, 0], M[:3, 1], M[:3, 2], M[:3, 3] = x, y, z, self.position
        return M

    @property
    def focal(self) -> float:
        return (self.height / 2.0) / np.tan(np.radians(self.yfov_deg) / 2.0)

    def to_camera(self, pts) -> np.ndarray:
        M = self.pose
        return (np.asarray(pts, float) - M[:3, 3]) @ M[:3, :3]

    def project(self, pts):
        """-> (pixels (N,2), depth along the view axis (N,))"""
        pc = self.to_camera(np.atleast_2d(pts))
        z = -pc[:, 2]
        f = self.focal
        px = self.width / 2.0 + f * pc[:, 0] / z
        py = self.height / 2.0 - f * pc[:, 1] / z
        return np.stack([px, py], axis=1), z

    @property
    def pitch_deg(self) -> float:
        d = unit(self.target - self.position)
        return float(np.degrees(np.arcsin(d[1])))


def _box(extents, center, colour):
    m = trimesh.creation.box(extents=extents)
    m.apply_translation(center)
    return _mesh_from(m.vertices, m.faces, colour, flat=True)


def _mesh_from(vertices, faces, colours, flat=False, normals=None):
    vertices = np.asarray(vertices, np.float32)
    faces = np.asarray(faces, np.int64)
    if flat:  # unshared vertices so each face keeps its own normal/colour
        vertices = vertices[faces].reshape(-1, 3)
        faces = np.arange(len(vertices)).reshape(-1, 3)
    cols = np.asarray(colours, np.float32)
    if cols.ndim == 1:
        cols = np.tile(cols, (len(vertices), 1))
    if normals is None:
        normals = vertex_normals(vertices, faces)
    cols4 = np.concatenate([cols, np.ones((len(cols), 1), np.float32)], axis=1)
    prim = pyrender.Primitive(positions=vertices, normals=normals.astype(np.float32),
                              color_0=cols4, indices=faces.astype(np.uint32), mode=4)
    return pyrender.Mesh([prim])


def vertex_normals(v, f):
    fn = np.cross(v[f[:, 1]] - v[f[:, 0]], v[f[:, 2]] - v[f[:, 0]])
    n = np.zeros_like(v)
    for k in range(3):
        np.add.at(n, f[:, k], fn)
    return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)


def _quads(quads, colours):
    """quads: list of 4 corner points (counter-clockwise seen from the front)."""
    V, F, C = [], [], []
    for q, c in zip(quads, colours):
        b = len(V)
        V.extend(q)
        F.extend([[b, b + 1, b + 2], [b, b + 2, b + 3]])
        C.extend([c] * 4)
    return np.array(V), np.array(F), np.array(C)


@dataclass
class Room:
    floor: tuple = (0.55, 0.38, 0.22)     # wood tone
    wall: tuple = (0.86, 0.84, 0.78)
    accent: tuple = (0.35, 0.45, 0.55)   # a door / cupboard
    mat: tuple = (0.45, 0.25, 0.55)
    yaw_deg: float = 0.0                  # room turned about the person
    size: float = 6.5
    light_dir: tuple = (-0.5, -1.0, -0.35)
    light_intensity: float = 3.2
    ambient: float = 0.35
    seed: int = 0

    def nodes(self, mat_yaw_deg=0.0):
        rng = np.random.default_rng(self.seed)
        meshes = []
        s = self.size / 2
        # floor planks along x
        quads, cols = [], []
        w = 0.14
        z = -s
        while z < s:
            x = -s
            while x < s:
                L = rng.uniform(0.9, 1.8)
                x1 = min(s, x + L)
                quads.append([[x, 0, z + w], [x1, 0, z + w], [x1, 0, z], [x, 0, z]])
                cols.append(np.clip(np.array(self.floor) * rng.uniform(0.82, 1.15), 0, 1))
                x = x1
            z += w
        V, F, Cc = _quads(quads, cols)
        meshes.append(_mesh_from(V, F, Cc))
        # four walls (+ skirting), ceiling
        H = 2.8
        walls = []
        for k in range(4):
            R = rot_axis([0, 1, 0], 90 * k)
            corners = [[-s, 0, -s], [s, 0, -s], [s, H, -s], [-s, H, -s]]
            tone = np.array(self.wall) * (1.0 - 0.06 * k)
            walls.append(([R @ np.array(c) for c in corners], tone))
            sk = [[-s, 0, -s + 0.01], [s, 0, -s + 0.01], [s, 0.1, -s + 0.01], [-s, 0.1, -s + 0.01]]
            walls.append(([R @ np.array(c) for c in sk], (0.95, 0.95, 0.93)))
        # a door and a picture frame on two walls
        door = [[-2.0, 0, -s + 0.02], [-1.1, 0, -s + 0.02], [-1.1, 2.05, -s + 0.02], [-2.0, 2.05, -s + 0.02]]
        walls.append((door, self.accent))
        R = rot_axis([0, 1, 0], 90)
        pic = [[0.4, 1.3, -s + 0.02], [1.3, 1.3, -s + 0.02], [1.3, 1.9, -s + 0.02], [0.4, 1.9, -s + 0.02]]
        walls.append(([R @ np.array(c) for c in pic], (0.25, 0.35, 0.3)))
        ceil = [[-s, H, s], [s, H, s], [s, H, -s], [-s, H, -s]]
        walls.append((ceil[::-1], (0.95, 0.95, 0.95)))
        V, F, Cc = _quads([w_[0] for w_ in walls], [w_[1] for w_ in walls])
        meshes.append(_mesh_from(V, F, Cc))
        Ry = np.eye(4)
        Ry[:3, :3] = rot_axis([0, 1, 0], self.yaw_deg)
        nodes = [pyrender.Node(mesh=m, matrix=Ry) for m in meshes]
        Rm = np.eye(4)
        Rm[:3, :3] = rot_axis([0, 1, 0], mat_yaw_deg)
        mat = _box([0.61, MAT_TOP, 1.83], [0, MAT_TOP / 2, 0.15], self.mat)
        nodes.append(pyrender.Node(mesh=mat, matrix=Rm))
        return nodes


class Renderer:
    def __init__(self, room: Room, camera: Camera, shadows=True, mat_yaw_deg=0.0):
        self.camera = camera
        self.scene = pyrender.Scene(ambient_light=np.full(3, room.ambient), bg_color=np.zeros(4))
        for n in room.nodes(mat_yaw_deg):
            self.scene.add_node(n)
        cam = pyrender.PerspectiveCamera(yfov=np.radians(camera.yfov_deg),
                                         aspectRatio=camera.width / camera.height, znear=0.05, zfar=30.0)
        self.scene.add(cam, pose=camera.pose)
        L = np.eye(4)
        d = unit(room.light_dir)
        z = -d
        x = unit(np.cross([0, 1, 0], z)) if abs(z[1]) < 0.99 else np.array([1.0, 0, 0])
        L[:3, 0], L[:3, 1], L[:3, 2] = x, np.cross(z, x), z
        self.scene.add(pyrender.DirectionalLight(color=np.ones(3), intensity=room.light_intensity), pose=L)
        # fill light from the camera side
        dist = float(np.linalg.norm(camera.position - camera.target))
        self.scene.add(pyrender.PointLight(color=np.ones(3), intensity=room.light_intensity * 0.45 * dist ** 2),
                       pose=camera.pose)
        self.flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if shadows else pyrender.RenderFlags.NONE
        self.r = pyrender.OffscreenRenderer(camera.width, camera.height)
        self.body_node = None
        self.faces = None

    def render(self, vertices, faces, colours):
        if self.body_node is not None:
            self.scene.remove_node(self.body_node)
        mesh = _mesh_from(vertices, faces, colours)
        self.body_node = self.scene.add(mesh)
        color, depth = self.r.render(self.scene, flags=self.flags)
        return color, depth

    def close(self):
        self.r.delete()
