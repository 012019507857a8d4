"""Body builds, skin tones and clothing: phenotype parameters for anny and
per-vertex colours (anny's skin files are shading masks, not colour maps)."""
from __future__ import annotations

import numpy as np

# anny phenotype values: gender 0 = male, 1 = female; age 2/3 = young adult, 1 = old
BUILDS = {
    "slim": {"weight": 0.15, "muscle": 0.35, "height": 0.45, "proportions": 0.6},
    "average": {"weight": 0.5, "muscle": 0.5, "height": 0.5, "proportions": 0.5},
    "athletic": {"weight": 0.4, "muscle": 0.9, "height": 0.65, "proportions": 0.7},
    "heavy": {"weight": 0.9, "muscle": 0.45, "height": 0.4, "proportions": 0.4},
    "tall": {"weight": 0.35, "muscle": 0.6, "height": 0.95, "proportions": 0.6},
    "short": {"weight": 0.55, "muscle": 0.5, "height": 0.1, "proportions": 0.5},
}

SKINS = {
    "light": (0.92, 0.76, 0.66),
    "medium": (0.80, 0.60, 0.46),
    "tan": (0.66, 0.48, 0.34),
    "brown": (0.48, 0.33, 0.23),
    "dark": (0.31, 0.21, 0.15),
}

HAIR = {"black": (0.06, 0.05, 0.05), "brown": (0.25, 0.16, 0.09), "blond": (0.72, 0.58, 0.35),
        "grey": (0.55, 0.55, 0.55), "auburn": (0.42, 0.17, 0.08)}

CLOTH = {
    "black": (0.07, 0.07, 0.08), "navy": (0.10, 0.14, 0.32), "teal": (0.05, 0.45, 0.45),
    "burgundy": (0.45, 0.08, 0.14), "grey": (0.45, 0.46, 0.48), "white": (0.88, 0.88, 0.86),
    "red": (0.78, 0.15, 0.12), "olive": (0.35, 0.38, 0.17), "mustard": (0.80, 0.62, 0.16),
    "lilac": (0.62, 0.52, 0.78), "sky": (0.45, 0.65, 0.85), "coral": (0.95, 0.48, 0.40),
    "forest": (0.12, 0.33, 0.18), "charcoal": (0.20, 0.20, 0.22),
}

AGE_ADULT = 0.72


def phenotype(sex: str, build: str, age: float = AGE_ADULT) -> dict:
    p = dict(BUILDS[build])
    p["gender"] = 1.0 if sex == "female" else 0.0
    p["age"] = age
    return p


def vertex_colours(body, skin: str, top: str, bottom: str, hair: str, sleeves: str = "short",
                   legs: str = "long", rng=None) -> np.ndarray:
    """RGB floats per vertex, from skinning regions of the rest mesh."""
    rng = rng or np.random.default_rng(0)
    V = body.rest_vertices
    n = len(V)
    col = np.tile(np.array(SKINS[skin]), (n, 1))
    labels = body.labels
    dom = np.array([labels[i] for i in body.dominant_bone])

    def has(*prefixes):
        return np.array([d.startswith(prefixes) for d in dom])

    top_bones = ["spine", "clavicle", "shoulder01", "breast", "pectoral"]
    if sleeves in ("short", "long"):
        top_bones.append("upperarm01")
    if sleeves == "long":
        top_bones += ["upperarm02", "lowerarm01", "lowerarm02"]
    is_top = has(*top_bones)
    leg_bones = ["root", "pelvis", "upperleg", "lowerleg01"]
    if legs == "long":
        leg_bones.append("lowerleg02")
    is_leg = has(*leg_bones)
    # the crop top ends around the navel; below it the leggings' waistband
    H = body.rest_heads
    hip_y = H[body.idx["upperleg01.L"]][1]
    waist = hip_y + 0.12
    col[is_top & (V[:, 1] >= waist)] = CLOTH[top]
    col[(is_leg | is_top) & (V[:, 1] < waist) & ~has("clavicle", "shoulder01")] = CLOTH[bottom]
    # hair: a cap over the skull
    e = (H[body.idx["eye.L"]] + H[body.idx["eye.R"]]) / 2
    head = has("head", "neck03", "special", "temporalis", "levator", "orbicularis", "oris", "jaw")
    rel = V - e
    cap = head & ((rel[:, 1] > 0.035) | ((rel[:, 2] < -0.085) & (rel[:, 1] > -0.06)))
    col[cap] = HAIR[hair]
    # brows, lips, eyes
    brow = head & (rel[:, 1] > 0.015) & (rel[:, 1] < 0.03) & (rel[:, 2] > 0.0) & (np.abs(rel[:, 0]) > 0.008) & (np.abs(rel[:, 0]) < 0.05)
    col[brow] = 0.5 * np.array(HAIR[hair]) + 0.5 * col[brow]
    mouth = V[body.vertex_landmarks["mouth_left"]]
    lips = head & (np.abs(V[:, 1] - mouth[1]) < 0.008) & (np.abs(V[:, 0]) < 0.024) & (V[:, 2] > mouth[2] - 0.02)
    col[lips] = col[lips] * np.array([0.85, 0.6, 0.6])
    eyes = has("eye.")
    col[eyes] = (0.92, 0.92, 0.9)
    for s in "LR":
        c = H[body.idx[f"eye.{s}"]]
        iris = eyes & (np.linalg.norm(V - (c + np.array([0, 0, 0.012])), axis=1) < 0.0065)
        col[iris] = (0.12, 0.08, 0.05)
    # slight per-vertex variation so surfaces are not flat
    col = col * (1.0 + rng.normal(0, 0.015, (n, 1)))
    return np.clip(col, 0, 1)
