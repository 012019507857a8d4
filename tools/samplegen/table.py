"""Print the markdown table of samples/ (from the truth files) for samples/README.md."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .manifest import BY_NAME


def main(folder="samples"):
    rows = ["| clip | pose | view | view ok | front side | frames (fps, s) | front knee 3D (median) | body | size | what it shows |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    total = 0
    for t in sorted(Path(folder).glob("*.truth.json")):
        d = json.loads(t.read_text())
        mp4 = t.with_name(d["clip"])
        size = mp4.stat().st_size + t.stat().st_size
        total += size
        pf = d["per_frame"]
        side = next((f["front_side"] for f in pf if f["front_side"]), None)
        ins = [f for f in pf if f["in_pose"]]
        if side:
            ks = sorted(f["angles_3d"][f"{side}_knee"] for f in ins)
            knee = f"{ks[len(ks) // 2]:.0f}° ({ks[0]:.0f}–{ks[-1]:.0f})"
        elif d["pose"] == "frog":
            ks = sorted(f["angles_3d"]["left_knee"] for f in ins)
            knee = f"L {ks[len(ks) // 2]:.0f}° (both knees)"
        else:
            knee = "–"
        b = d["body"]
        spec = BY_NAME.get(mp4.stem)
        rows.append(f"| `{d['clip']}` | {d['pose']} | {d['view']} | {'yes' if d['view_ok'] else 'no'} | {side or '–'} | "
                    f"{d['frames']} ({d['fps']}, {d['frames'] / d['fps']:.1f}) | {knee} | {b['sex']}, {b['build']}, {b['skin']} | "
                    f"{size / 1024:.0f} KiB | {spec.notes if spec else ''} |")
    print("\n".join(rows))
    print(f"\nTotal: {total / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main(*sys.argv[1:])
