"""Scoring at scale: many inputs and one long recording on every core, and on a local Ray cluster.

Run: ``.venv/bin/python benchmarks/scale.py [--rounds 1] [--markdown docs/performance-scale.md]``
(``--append docs/performance.md`` adds its section to that file instead). Needs the
``cluster`` extra for the Ray rows (``make test`` installs it); without Ray they are left out.

In one run, each row beside its baseline (the machine is shared, so the ratios are what count):
  * a batch of 8 sample clips (kneeling lunges, 960x540, 3-5 s each): ``--jobs 2`` vs ``--jobs 1``;
  * one 60 s 1280x720 clip: ``--jobs 2`` (two time chunks) vs the bare MediaPipe loop on the
    same clip (``benchmarks/throughput.py``'s), and vs ``--jobs 1``; with the seam tolerances
    (each check's median, the holds' start and end) of the chunked run against ``--jobs 1``;
  * the same batch through a Ray head started here (127.0.0.1, 2 CPUs, no dashboard, usage
    statistics off) vs ``--jobs 2``;
  * the peak memory of each worker process (``VmHWM``, polled), and the time for 1, 2, 4, 8 inputs.
Every run is the real CLI (``python -m posecheck score``) with the annotated video, as a user runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from throughput import bare, make_clip  # noqa: E402 - the same clip and bare loop as the throughput benchmark

CLIPS = ["lunge_side_120_left", "lunge_side_90_left", "lunge_side_90_right", "lunge_side_behind_left",
         "lunge_side_drift_back_right", "lunge_side_drift_right", "lunge_side_in_hold_out_left",
         "lunge_side_step_in_left"]
ENV = {**os.environ, "COLUMNS": "160", "RAY_USAGE_STATS_ENABLED": "0",
       "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    found, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            found.append(c)
            todo.append(c)
    return found


def _hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_cli(*args: str, watch: bool = False) -> tuple[float, dict[int, int]]:
    """Run ``posecheck score ARGS``: its wall time, and (``watch``) each process's peak RSS in kB."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "posecheck", "score", *args, "-q", "--no-history"], cwd=ROOT,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            for pid in [proc.pid, *_descendants(proc.pid)]:
                peaks[pid] = max(peaks.get(pid, 0), _hwm_kb(pid))
            stop.wait(0.1)

    poller = threading.Thread(target=poll, daemon=True)
    if watch:
        poller.start()
    _, err = proc.communicate(timeout=3600)
    dt = time.perf_counter() - t0
    stop.set()
    if proc.returncode != 0:
        raise RuntimeError(f"score {' '.join(args)} failed ({proc.returncode}): {err.strip()[-2000:]}")
    if watch:
        poller.join()
        peaks.pop(proc.pid, None)
    return dt, peaks


@contextmanager
def ray_head(temp: Path):
    """A Ray head on 127.0.0.1 with a free port and 2 CPUs: its address (None without Ray)."""
    ray = Path(sys.executable).with_name("ray")
    if not ray.exists():
        yield None
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (temp / "ray-head.log").open("w")
    head = subprocess.Popen([str(ray), "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
                             "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
                             f"--temp-dir={temp / 'ray'}"],
                            env={**ENV, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 180
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if head.poll() is not None or time.time() > deadline:
                    raise RuntimeError("the Ray head did not start: see " + str(temp / "ray-head.log")) from None
                time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        head.terminate()
        try:
            head.wait(timeout=90)
        except subprocess.TimeoutExpired:
            head.kill()
        log.close()


def seams(one: Path, chunked: Path) -> dict[str, float]:
    """How far the chunked run's summary is from the one-pass run's: medians (degrees or ratio) and holds (frames)."""
    a = json.loads((one / "summary.json").read_text())
    b = json.loads((chunked / "summary.json").read_text())
    medians = [abs(b["checks"][k]["median"] - c["median"]) for k, c in a["checks"].items()
               if c.get("median") is not None and b["checks"].get(k, {}).get("median") is not None]
    fps = a.get("fps") or 24.0
    ends = [abs(x[f] - y[f]) * fps for x, y in zip(a["holds"], b["holds"]) for f in ("start_s", "end_s")]
    return {"chunks": b.get("chunks"), "holds_a": len(a["holds"]), "holds_b": len(b["holds"]),
            "median_max": max(medians, default=0.0), "hold_frames_max": max(ends, default=0.0),
            "frames_a": a["frames"], "frames_b": b["frames"], "score_a": a.get("score"), "score_b": b.get("score")}


def _load() -> float:
    return os.getloadavg()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=1, help="rounds of the side-by-side runs (best of each)")
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the long 1280x720 clip")
    ap.add_argument("--markdown", type=Path, help="write the section to this file")
    ap.add_argument("--append", type=Path, help="append the section to this file, replacing an earlier one")
    args = ap.parse_args()
    loads = [_load()]
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="scale-", dir="/tmp") as d:
        tmp = Path(d)
        clips = [ROOT / "samples" / f"{c}.mp4" for c in CLIPS]
        long = tmp / "long.mp4"
        n_long = make_clip(long, args.seconds)
        peaks: dict[int, int] = {}
        with ray_head(tmp) as address:
            for r in range(args.rounds):
                def timed(name: str, *cli: str, watch: bool = False) -> None:
                    dt, p = run_cli(*cli, "--out", str(tmp / f"{name}-{r}"), watch=watch)
                    times.setdefault(name, []).append(dt)
                    peaks.update(p)
                    loads.append(_load())
                batch = [str(c) for c in clips]
                timed("batch1", *batch, "--pose", "kneeling_lunge", "--jobs", "1")
                timed("batch2", *batch, "--pose", "kneeling_lunge", "--jobs", "2", watch=True)
                if address:
                    timed("ray", *batch, "--pose", "kneeling_lunge", "--cluster", address)
                k, dt = bare(long)
                times.setdefault("bare", []).append(dt)
                timed("long1", str(long), "--pose", "kneeling_lunge", "--jobs", "1")
                timed("long2", str(long), "--pose", "kneeling_lunge", "--jobs", "2", watch=True)
            seam = seams(tmp / "long1-0", tmp / "long2-0")
            rows = json.loads((tmp / "batch1-0" / "batch.json").read_text())["inputs"]
            frames_batch = sum(row["frames"] or 0 for row in rows)
            growth = {}
            for n in (1, 2, 4, 8):
                dt, _ = run_cli(*[str(c) for c in clips[:n]], "--pose", "kneeling_lunge", "--jobs", "2",
                                "--out", str(tmp / f"grow-{n}"))
                growth[n] = dt
                loads.append(_load())
        shutil.rmtree(tmp / "ray", ignore_errors=True)
    best = {k: min(v) for k, v in times.items()}
    r_batch = best["batch1"] / best["batch2"]
    r_long = best["bare"] / best["long2"]
    r_ray = best["batch2"] / best["ray"] if "ray" in best else None
    worker_mb = sorted((kb / 1024 for kb in peaks.values() if kb > 100 * 1024), reverse=True)
    lines = ["| run | seconds | compared with | ratio |", "|---|---|---|---|",
             f"| batch of 8 clips, `--jobs 1` | {best['batch1']:.1f} | | |",
             f"| batch of 8 clips, `--jobs 2` | {best['batch2']:.1f} | `--jobs 1` | {r_batch:.2f}x |"]
    if r_ray is not None:
        lines.append(f"| batch of 8 clips, local Ray cluster (2 CPUs) | {best['ray']:.1f} | `--jobs 2` | {r_ray:.2f}x |")
    lines += [f"| {args.seconds:.0f} s 1280x720 clip ({n_long} frames), bare MediaPipe loop | {best['bare']:.1f} | | |",
              f"| the same clip, `--jobs 1` | {best['long1']:.1f} | bare loop | {best['bare'] / best['long1']:.2f}x |",
              f"| the same clip, `--jobs 2` ({seam['chunks']} chunks) | {best['long2']:.1f} | bare loop | "
              f"{r_long:.2f}x |",
              "",
              "| inputs (`--jobs 2`) | 1 | 2 | 4 | 8 |", "|---|---|---|---|---|",
              "| seconds | " + " | ".join(f"{growth[n]:.1f}" for n in (1, 2, 4, 8)) + " |",
              "",
              f"- seams ({seam['chunks']} chunks, 1 s warm-up overlap) against `--jobs 1` on the {args.seconds:.0f} s "
              f"clip: frames {seam['frames_b']} vs {seam['frames_a']}, holds {seam['holds_b']} vs {seam['holds_a']}, "
              f"largest difference of a check's median {seam['median_max']:.3f} (degrees, or ratio for ratio "
              f"checks), of a hold's start or end {seam['hold_frames_max']:.1f} frames; score "
              f"{seam['score_b']} vs {seam['score_a']}.",
              f"- peak memory per process below the CLI (workers; with Ray, its own processes are not "
              f"counted): {', '.join(f'{m:.0f}' for m in worker_mb[:6])} MB.",
              f"- the batch: {len(CLIPS)} sample clips, 960x540, 24 fps"
              f", {frames_batch} frames; every run with the annotated video; "
              f"best of {args.rounds} round(s).",
              f"- machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
              f"{os.cpu_count()} cores, shared: 1-minute load average {min(loads):.1f}-{max(loads):.1f} during the run "
              "(2 would be this benchmark alone).",
              "",
              "| target | measured | met |", "|---|---|---|",
              f"| batch `--jobs 2` / `--jobs 1` at least 1.7x | {r_batch:.2f}x | {'yes' if r_batch >= 1.7 else 'NO'} |",
              f"| 60 s clip `--jobs 2` / bare loop at least 1.6x | {r_long:.2f}x | {'yes' if r_long >= 1.6 else 'NO'} |"]
    if r_ray is not None:
        lines.append(f"| Ray / `--jobs 2` at least 0.85x | {r_ray:.2f}x | {'yes' if r_ray >= 0.85 else 'NO'} |")
    text = "\n".join(lines)
    print(text)
    head = "## Scoring at scale\n\n"
    section = (head + f"Generated by `.venv/bin/python benchmarks/scale.py` on {time.strftime('%Y-%m-%d')}: "
               "every run is the CLI in a child process, alternated in one run; a ratio is the baseline's time "
               "over the run's.\n\n" + text + "\n")
    if args.markdown:
        args.markdown.write_text("# Performance at scale\n\n" + section)
    if args.append:
        old = args.append.read_text() if args.append.exists() else ""
        old = old.split(head)[0].rstrip() + "\n\n" if head in old else old.rstrip() + "\n\n"
        args.append.write_text(old + section)


if __name__ == "__main__":
    main()
