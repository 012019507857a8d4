"""Command line: render the clips of the manifest (deterministic: fixed seeds)."""
from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
from pathlib import Path


def _one(args):
    name, out, preview = args
    from .clip import render_clip
    from .manifest import BY_NAME

    res = render_clip(BY_NAME[name], Path(out), log=lambda s: print(s, flush=True))
    if preview:
        from .overlay import overlay_png

        overlay_png(res, Path(preview) / f"{name}.png")
    return name


def main(argv=None):
    from .manifest import CLIPS

    ap = argparse.ArgumentParser(prog="python -m tools.samplegen", description=__doc__)
    ap.add_argument("--only", nargs="*", help="clip names (default: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parents[2] / "samples"))
    ap.add_argument("--preview", help="also write a PNG of the middle frame with the projected joints")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)
    names = [c.name for c in CLIPS]
    if a.list:
        print("\n".join(names))
        return
    if a.only:
        unknown = set(a.only) - set(names)
        if unknown:
            sys.exit(f"unknown clips: {sorted(unknown)}")
        names = [n for n in names if n in a.only]
    if a.preview:
        Path(a.preview).mkdir(parents=True, exist_ok=True)
    jobs = [(n, a.out, a.preview) for n in names]
    if a.jobs <= 1 or len(jobs) == 1:
        for j in jobs:
            _one(j)
    else:
        with mp.get_context("spawn").Pool(a.jobs, maxtasksperchild=1) as pool:
            for _ in pool.imap_unordered(_one, jobs):
                pass
