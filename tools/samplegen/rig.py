"""The body: anny's MakeHuman-based model posed by per-segment world directions.

Frames: anny works z-up with the body facing -y and its left at +x. We use the
*pose frame*: y up, the body facing +z, its left at +x (metres), i.e.
world = C @ anny. Every segment is posed by a target direction `d` (from its
first joint to the next) and a lateral axis `h` (the hinge axis: for a knee or
elbow the same `h` for both bones keeps the bend in one plane, so joint angles
are exactly the angle between the target directions).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .geometry import LEFT, UP, frame

C = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, -1.0, 0]])  # anny -> pose frame

# segment -> (bones rotated with it, joint it starts at, joint it points to (None: up))
SEGMENTS = {
    "pelvis": (["root", "pelvis.L", "pelvis.R", "spine05"], "spine05", "spine03"),
    "spine_lower": (["spine04", "spine03"], "spine04", "spine02"),
    "spine_upper": (["spine02", "spine01"], "spine02", "neck01"),
    "neck": (["neck01", "neck02", "neck03"], "neck01", "head"),
    "head": (["head"], "head", None),
}
for s in "LR":
    SEGMENTS.update({
        f"thigh.{s}": ([f"upperleg01.{s}", f"upperleg02.{s}"], f"upperleg01.{s}", f"lowerleg01.{s}"),
        f"shin.{s}": ([f"lowerleg01.{s}", f"lowerleg02.{s}"], f"lowerleg01.{s}", f"foot.{s}"),
        f"foot.{s}": ([f"foot.{s}"], f"foot.{s}", f"toe3-1.{s}"),
        f"clavicle.{s}": ([f"clavicle.{s}", f"shoulder01.{s}"], f"clavicle.{s}", f"upperarm01.{s}"),
        f"upperarm.{s}": ([f"upperarm01.{s}", f"upperarm02.{s}"], f"upperarm01.{s}", f"lowerarm01.{s}"),
        f"forearm.{s}": ([f"lowerarm01.{s}", f"lowerarm02.{s}"], f"lowerarm01.{s}", f"wrist.{s}"),
        f"hand.{s}": ([f"wrist.{s}"], f"wrist.{s}", f"finger3-1.{s}"),
    })

# joints (anny bone heads) used for ground truth
BONE_LANDMARKS = {}
for side, s in (("left", "L"), ("right", "R")):
    BONE_LANDMARKS.update({
        f"{side}_shoulder": f"upperarm01.{s}", f"{side}_elbow": f"lowerarm01.{s}",
        f"{side}_wrist": f"wrist.{s}", f"{side}_pinky": f"finger5-1.{s}",
        f"{side}_index": f"finger2-1.{s}", f"{side}_thumb": f"finger1-2.{s}",
        f"{side}_hip": f"upperleg01.{s}", f"{side}_knee": f"lowerleg01.{s}",
        f"{side}_ankle": f"foot.{s}",
    })

LANDMARK_NAMES = [
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
]


@functools.lru_cache(maxsize=1)
def load_model():
    import anny  # heavy: torch + assets; first call builds ~/.cache/anny
    import torch

    torch.set_num_threads(1)
    model = anny.Anny(pose_parameterization="world-orient")
    model.eval()
    return model


@dataclass
class Posed:
    vertices: np.ndarray  # (V,3) pose frame
    heads: np.ndarray     # (B,3) bone heads, pose frame

    def translated(self, t):
        t = np.asarray(t, float)
        return Posed(self.vertices + t, self.heads + t)


class Body:
    """One body build (phenotype). `pose(targets)` -> Posed."""

    def __init__(self, phenotype: dict):
        import torch

        self.torch = torch
        self.model = load_model()
        self.labels = list(self.model.bone_labels)
        self.idx = {n: i for i, n in enumerate(self.labels)}
        self.parents = [int(p) for p in self.model.bone_parents]
        self.phenotype = {k: float(v) for k, v in phenotype.items()}
        with torch.no_grad():
            out = self.model(phenotype_kwargs=self.phenotype)
        self.rest_R = out["rest_bone_poses"][0, :, :3, :3].double().numpy()
        self.rest_heads = out["rest_bone_heads"][0].double().numpy() @ C.T
        self.rest_vertices = out["rest_vertices"][0].double().numpy() @ C.T
        self.faces = self.model.get_triangular_faces().numpy()
        w = self.model.vertex_bone_weights.numpy()
        bi = self.model.vertex_bone_indices.numpy()
        self.dominant_bone = bi[np.arange(len(bi)), np.argmax(w, axis=1)]
        self.vertex_weights = (w, bi)
        self.seg_rest = {}
        for seg, (_, a, b) in SEGMENTS.items():
            d = UP if b is None else self.rest_heads[self.idx[b]] - self.rest_heads[self.idx[a]]
            self.seg_rest[seg] = frame(d, LEFT)
        self.bone_seg = {}
        for seg, (bones, _, _) in SEGMENTS.items():
            for b in bones:
                self.bone_seg[b] = seg
        self.lengths = {
            "thigh": self.seg_len("thigh.L"), "shin": self.seg_len("shin.L"),
            "upperarm": self.seg_len("upperarm.L"), "forearm": self.seg_len("forearm.L"),
        }
        self.vertex_landmarks = _pick_vertex_landmarks(self)

    def seg_len(self, seg):
        _, a, b = SEGMENTS[seg]
        return float(np.linalg.norm(self.rest_heads[self.idx[b]] - self.rest_heads[self.idx[a]]))

    def region(self, *bone_prefixes) -> np.ndarray:
        """Vertex indices whose dominant bone name starts with one of the prefixes."""
        ids = [i for i, n in enumerate(self.labels) if n.startswith(bone_prefixes)]
        return np.nonzero(np.isin(self.dominant_bone, ids))[0]

    def pose(self, targets: dict, root=(0.0, 0.0, 0.0)) -> Posed:
        """targets: segment -> (d, h) in the pose frame. Missing segments keep their
        rest orientation relative to the parent segment (they follow it rigidly)."""
        torch = self.torch
        G_seg = {}
        for seg, (d, h) in targets.items():
            G_seg[seg] = frame(d, h) @ self.seg_rest[seg].T
        G = [None] * len(self.labels)
        for i, name in enumerate(self.labels):
            seg = self.bone_seg.get(name)
            if seg is not None and seg in G_seg:
                G[i] = G_seg[seg]
            elif self.parents[i] < 0:
                G[i] = np.eye(3)
            else:
                G[i] = G[self.parents[i]]  # parents come first in anny's order
        D = np.zeros((1, len(self.labels), 4, 4))
        for i in range(len(self.labels)):
            Ga = C.T @ G[i] @ C
            D[0, i, :3, :3] = Ga @ self.rest_R[i]
            D[0, i, 3, 3] = 1.0
        D[0, 0, :3, 3] = C.T @ np.asarray(root, float)
        with torch.no_grad():
            out = self.model(pose_parameters=torch.from_numpy(D).to(self.model.dtype),
                             phenotype_kwargs=self.phenotype)
        verts = out["vertices"][0].double().numpy() @ C.T
        heads = out["bone_poses"][0, :, :3, 3].double().numpy() @ C.T
        return Posed(verts, heads)

    def landmarks(self, posed: Posed) -> dict:
        out = {}
        for name in LANDMARK_NAMES:
            if name in BONE_LANDMARKS:
                out[name] = posed.heads[self.idx[BONE_LANDMARKS[name]]]
            else:
                out[name] = posed.vertices[self.vertex_landmarks[name]]
        return out


def _nearest(verts, ids, p):
    ids = np.asarray(ids)
    return int(ids[np.argmin(np.linalg.norm(verts[ids] - p, axis=1))])


def _pick_vertex_landmarks(body: Body) -> dict:
    """Face and foot landmarks as mesh vertices, chosen once on the rest mesh."""
    V = body.rest_vertices
    H = body.rest_heads
    idx = body.idx
    head_ids = body.region("head", "neck03", "eye", "jaw", "special", "oris", "levator",
                           "temporalis", "orbicularis", "risorius", "tongue")
    head_ids = np.setdiff1d(head_ids, body.region("eye"))  # skin, not eyeballs
    out = {}
    eL, eR = H[idx["eye.L"]], H[idx["eye.R"]]
    ez = (eL[1] + eR[1]) / 2
    mid = head_ids[np.abs(V[head_ids, 0]) < 0.006]
    band = mid[(V[mid, 1] < ez - 0.01) & (V[mid, 1] > ez - 0.07)]
    nose = int(band[np.argmax(V[band, 2])])
    out["nose"] = nose
    n = V[nose]
    for side, e in (("left", eL), ("right", eR)):
        sx = 1.0 if side == "left" else -1.0
        out[f"{side}_eye"] = _nearest(V, head_ids, e + np.array([0, 0.0, 0.014]))
        out[f"{side}_eye_inner"] = _nearest(V, head_ids, e + np.array([-sx * 0.014, 0, 0.010]))
        out[f"{side}_eye_outer"] = _nearest(V, head_ids, e + np.array([sx * 0.016, 0, 0.004]))
        ear_band = head_ids[(np.abs(V[head_ids, 1] - (e[1] - 0.02)) < 0.015)
                            & (V[head_ids, 2] < e[2] - 0.06) & (V[head_ids, 2] > e[2] - 0.12)]
        out[f"{side}_ear"] = int(ear_band[np.argmax(sx * V[ear_band, 0])])
        mband = head_ids[(np.abs(V[head_ids, 0] - sx * 0.022) < 0.006)
                         & (V[head_ids, 1] < n[1] - 0.03) & (V[head_ids, 1] > n[1] - 0.06)]
        out[f"mouth_{side}"] = int(mband[np.argmax(V[mband, 2])])
        s = "L" if side == "left" else "R"
        foot = body.region(f"foot.{s}")
        low = foot[V[foot, 1] < V[foot, 1].min() + 0.025]
        out[f"{side}_heel"] = int(low[np.argmin(V[low, 2])])
        toes = body.region("toe1-", "toe2-")
        toes = toes[sx * V[toes, 0] > 0]
        out[f"{side}_foot_index"] = int(toes[np.argmax(V[toes, 2])])
    return out
