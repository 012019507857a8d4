"""``posecheck score`` on many inputs and on long recordings, with the real model on real clips.

A batch on worker processes (``--jobs 2``) gives the very files of a run in this process
(``--jobs 1``): each input is scored by the same code, only elsewhere. A long recording
scored in time chunks is compared with ``--jobs 1`` within the tolerances of its seams.
Faults are real: a worker process killed with SIGKILL, Ctrl-C sent to the whole process
group as a terminal does.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from posecheck.app.batch import SPLIT_FROM_CORES

from ..cli_helpers import ROOT, Run, assert_clean_error, posecheck
from ..conftest import loop_clip, sample
from ..media_helpers import probe

pytestmark = pytest.mark.model

CLIPS = ["lunge_side_90_left", "lunge_side_90_right", "lunge_side_120_left"]


def _inputs(folder: Path) -> list[Path]:
    """Three clips, two of them named frog.mp4 in different folders."""
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    a, b = folder / "a" / "frog.mp4", folder / "b" / "frog.mp4"
    shutil.copy(sample(f"{CLIPS[0]}.mp4"), a)
    shutil.copy(sample(f"{CLIPS[1]}.mp4"), b)
    c = folder / f"{CLIPS[2]}.mp4"
    shutil.copy(sample(f"{CLIPS[2]}.mp4"), c)
    return [a, b, c]


def _names(inputs: list[Path], root: Path) -> list[str]:
    """The inputs as a user types them, from ``root``."""
    return [str(p.relative_to(root)) for p in inputs]


def _rows(out: Path) -> list[dict]:
    return list(csv.DictReader((out / "batch.csv").open()))


def _same_results(one: Path, other: Path) -> None:
    """Two results folders hold the same results: every file equal, the videos frame for frame."""
    for name in ("summary.json", "frames.csv", "landmarks.jsonl"):
        assert (one / name).read_text() == (other / name).read_text(), (one, other, name)
    a, b = probe(one / "annotated.mp4"), probe(other / "annotated.mp4")
    assert a == b and a["frames"] == json.loads((one / "summary.json").read_text())["frames"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The same three inputs scored with --jobs 2 and with --jobs 1."""
    root = tmp_path_factory.mktemp("batch")
    inputs = _inputs(root / "in")
    runs = {}
    for jobs in ("2", "1"):
        out = root / f"out{jobs}"
        runs[jobs] = (out, posecheck("score", *_names(inputs, root), "--pose", "kneeling_lunge", "--out", str(out),
                                     "--jobs", jobs, "--no-history", cwd=root))
    return root, inputs, runs


def test_inputs_of_the_same_name_keep_their_own_results(batch):
    root, inputs, runs = batch
    out, run = runs["2"]
    assert run.code == 0, run.err
    assert sorted(p.name for p in out.iterdir()) == ["batch.csv", "batch.json", "frog", "frog-2",
                                                     "lunge_side_120_left"]
    rows = _rows(out)
    assert [(r["input"], (out / r["out"]).name, r["status"], r["chunks"]) for r in rows] == [
        ("in/a/frog.mp4", "frog", "scored", "1"), ("in/b/frog.mp4", "frog-2", "scored", "1"),
        ("in/lunge_side_120_left.mp4", "lunge_side_120_left", "scored", "1")]
    for row, clip in zip(rows, inputs):
        s = json.loads(((out / row["out"]) / "summary.json").read_text())
        assert s["input"] == row["input"] and Path(row["path"]) == clip.resolve()
        assert float(row["score"]) == pytest.approx(s["score"], abs=0.05)
        assert float(row["time_in_good_form_s"]) == s["time_in_good_form_s"]
    # The left and the right lunge: two different results, neither lost.
    sides = [json.loads((out / f / "summary.json").read_text())["holds"][0]["side"] for f in ("frog", "frog-2")]
    assert sides == ["left", "right"]
    data = json.loads((out / "batch.json").read_text())
    assert data["counts"] == {"scored": 3} and data["executor"] == "local, 2 worker processes"
    assert data["finished"] is not None
    assert "3 inputs: 3 scored" in run.out and "batch.csv" in run.out
    assert not [p for p in out.rglob(".*")]  # nothing unfinished left behind


def test_worker_processes_give_the_files_of_a_run_in_this_process(batch):
    _, _, runs = batch
    (two, run2), (one, run1) = runs["2"], runs["1"]
    assert run1.code == 0 and run2.code == 0, run1.err + run2.err
    assert json.loads((one / "batch.json").read_text())["executor"] == "this process"
    for folder in ("frog", "frog-2", "lunge_side_120_left"):
        _same_results(two / folder, one / folder)


def test_a_rerun_skips_complete_results_and_scores_the_rest(batch, tmp_path):
    root, inputs, runs = batch
    out = tmp_path / "out"
    shutil.copytree(runs["2"][0], out)
    before = (out / "frog" / "summary.json").stat().st_mtime_ns
    # An interrupted run of the third input (results marked incomplete), and the second's summary lost.
    third = out / "lunge_side_120_left" / "summary.json"
    third.write_text(third.read_text().replace('"complete": true', '"complete": false'))
    (out / "frog-2" / "summary.json").unlink()
    run = posecheck("score", *_names(inputs, root), "--pose", "kneeling_lunge", "--out", str(out), "--no-history",
                    "--jobs", "2", cwd=root)
    assert run.code == 0, run.err
    assert [r["status"] for r in _rows(out)] == ["skipped", "scored", "scored"]
    assert (out / "frog" / "summary.json").stat().st_mtime_ns == before
    for folder in ("frog", "frog-2", "lunge_side_120_left"):
        _same_results(out / folder, runs["1"][0] / folder)
    assert "already scored: in/a/frog.mp4" in run.out and "1 skipped" in run.out
    forced = posecheck("score", *_names(inputs, root), "--pose", "kneeling_lunge", "--out", str(out), "--no-history",
                       "--force", "-q", cwd=root)
    assert forced.code == 0 and forced.out == "", forced.err
    assert [r["status"] for r in _rows(out)] == ["scored"] * 3
    assert (out / "frog" / "summary.json").stat().st_mtime_ns != before
    # Another pose for the same inputs: new folders, the kneeling lunge's results stay.
    other = posecheck("score", *_names([inputs[0], inputs[2]], root), "--pose", "low_lunge", "--out", str(out),
                      "--no-history", "-q", "--no-video", cwd=root)
    assert other.code == 0, other.err
    assert [((out / r["out"]).name, r["pose"]) for r in _rows(out)] == [("frog-3", "low_lunge"),
                                                                      ("lunge_side_120_left-2", "low_lunge")]
    assert json.loads((out / "frog" / "summary.json").read_text())["pose"] == "kneeling_lunge"


def test_a_folder_of_videos_scores_each_video_and_each_photo(tmp_path):
    import av
    import cv2

    folder = tmp_path / "class uploads"
    folder.mkdir()
    shutil.copy(sample("lunge_side_90_left.mp4"), folder / "ana.mp4")
    with av.open(str(sample("lunge_side_90_right.mp4"))) as c:
        still = next(c.decode(video=0)).to_ndarray(format="bgr24")
    cv2.imencode(".jpg", still)[1].tofile(str(folder / "ben.jpg"))
    (folder / "notes.txt").write_text("not media")
    run = posecheck("score", str(folder), "--pose", "kneeling_lunge", "--out", str(tmp_path / "out"), "--jobs", "2",
                    "--no-history", "--no-video")
    assert run.code == 0, run.err
    rows = _rows(tmp_path / "out")
    assert [(Path(r["input"]).name, r["status"], r["frames"]) for r in rows] == [("ana.mp4", "scored", "72"),
                                                                              ("ben.jpg", "scored", "1")]


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    """24 s of one continuous drifting lunge (a hold all the way), and its --jobs 1 results."""
    root = tmp_path_factory.mktemp("long")
    clip = root / "practice.mp4"
    frames = loop_clip(clip, "lunge_side_drift_back_right", 24.0)
    one = root / "one"
    run = posecheck("score", str(clip), "--pose", "kneeling_lunge", "--out", str(one), "--jobs", "1", "--no-video",
                    "--no-history", "-q")
    assert run.code == 0, run.err
    return clip, frames, one


@pytest.fixture(scope="module")
def chunked(long_clip, tmp_path_factory):
    """The long recording scored with --jobs 2: two time chunks."""
    clip, _, _ = long_clip
    out = tmp_path_factory.mktemp("chunked") / "out"
    run = posecheck("score", str(clip), "--pose", "kneeling_lunge", "--out", str(out), "--jobs", "2", "--no-history")
    assert run.code == 0, run.err
    return out


def test_by_default_a_recording_is_split_only_where_it_pays(long_clip, tmp_path):
    """Without --jobs a recording is scored in time chunks only on 4 cores or more: on 2 the
    chunks' second decode cost more than they gained (70.9 s against 50.4 s whole for 60 s)."""
    clip, frames, one = long_clip
    out = tmp_path / "default"
    run = posecheck("score", str(clip), "--pose", "kneeling_lunge", "--out", str(out), "--no-video",
                    "--no-history", "-q")
    assert run.code == 0, run.err
    s = json.loads((out / "summary.json").read_text())
    split = (os.cpu_count() or 1) >= SPLIT_FROM_CORES
    assert s["frames"] == frames and (s["chunks"] is not None) == split
    if not split:  # scored whole: the very --jobs 1 results
        assert (out / "frames.csv").read_bytes() == (one / "frames.csv").read_bytes()


def test_a_long_recording_in_time_chunks_matches_one_pass(long_clip, chunked, tmp_path):
    clip, frames, one = long_clip
    out = chunked
    a = json.loads((one / "summary.json").read_text())
    b = json.loads((out / "summary.json").read_text())
    assert (b["chunks"], b["chunk_overlap_s"], a["chunks"]) == (2, 1.0, None)
    rows_a = list(csv.DictReader((one / "frames.csv").open()))
    rows_b = list(csv.DictReader((out / "frames.csv").open()))
    # One row per decoded frame, in order, at the times of the one-pass run.
    assert len(rows_b) == frames == b["frames"]
    assert [r["frame"] for r in rows_b] == [str(i) for i in range(frames)]
    assert [r["t"] for r in rows_b] == [r["t"] for r in rows_a]
    # Before the seam the first chunk's model saw what the one pass saw, set up the same way
    # (MediaPipe's smoothing off for a recording): the same raw values, bit for bit. A worker
    # whose model smoothed (as one did) read a front knee 2 degrees apart from frame 1 on.
    before = [k for k in rows_a[0] if k.endswith(".raw")]
    for ra, rb in zip(rows_a[:12 * 24], rows_b[:12 * 24]):
        assert [rb[k] for k in before] == [ra[k] for k in before], ra["frame"]
    # The seam (12 s) is inside the hold: it is one hold, as in one pass, within two frames.
    assert len(b["holds"]) == len(a["holds"]) == 1
    assert b["holds"][0]["start_s"] == pytest.approx(a["holds"][0]["start_s"], abs=2 / 24 + 1e-6)
    assert b["holds"][0]["end_s"] == pytest.approx(a["holds"][0]["end_s"], abs=2 / 24 + 1e-6)
    # Every check's median within 0.5 degrees (0.02 for ratios): after its 1 s warm-up the second
    # chunk's model tracks within a few pixels of the one-pass run (measured 0.16 degrees here).
    for cid, c in a["checks"].items():
        tol = 0.02 if c["target"].lstrip("≤≥").replace(".", "").isdigit() and abs(c["median"]) < 1.5 else 0.5
        assert b["checks"][cid]["median"] == pytest.approx(c["median"], abs=tol), cid
    # The annotated video was drawn in the same two chunks and joined: one frame per row.
    info = probe(out / "annotated.mp4")
    assert info["frames"] == frames and info["codec"] == "h264" and info["faststart"] is True
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no parts left
    # The landmarks are the stitched stream: a replay gives the very summary.
    again = tmp_path / "replay"
    assert posecheck("score", "--replay", str(out / "landmarks.jsonl"), "--pose", "kneeling_lunge", "--out",
                     str(again), "-q").code == 0
    replayed = json.loads((again / "summary.json").read_text())
    assert {k: v for k, v in replayed.items() if not k.startswith("chunk")} == \
        {k: v for k, v in b.items() if not k.startswith("chunk")}


def _wait_for_partial(folder: Path, timeout: float = 300) -> Path:
    """An unfinished result file being written in ``folder`` (or one below it)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [p for p in folder.rglob(".landmarks*.partial")] if folder.exists() else []
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"nothing started in {folder}")


def _writer_pid(partial: Path) -> int:
    """The process writing a partial file (its name holds the writer's pid)."""
    return int(partial.name.split(".")[-2].split("-")[0])


def _start(*args: str, cwd: Path = ROOT) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "posecheck", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "160"},
                            start_new_session=True)


def test_a_killed_worker_costs_nothing_its_unit_is_scored_again(batch, tmp_path):
    root, inputs, runs = batch
    out = tmp_path / "out"
    proc = _start("score", *_names(inputs, root), "--pose", "kneeling_lunge", "--out", str(out), "--jobs", "2",
                  "--no-history", cwd=root)
    partial = _wait_for_partial(out)
    victim = _writer_pid(partial)
    assert victim != proc.pid
    os.kill(victim, signal.SIGKILL)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert [r["status"] for r in _rows(out)] == ["scored"] * 3
    for folder in ("frog", "frog-2", "lunge_side_120_left"):
        _same_results(out / folder, runs["1"][0] / folder)
    assert not [p for p in out.rglob(".*")]  # the killed writer's files were cleared


def test_ctrl_c_keeps_what_is_done_and_a_rerun_scores_the_rest(batch, tmp_path):
    root, inputs, runs = batch
    out = tmp_path / "out"
    proc = _start("score", *_names(inputs, root), "--pose", "kneeling_lunge", "--out", str(out), "--jobs", "2",
                  "--no-history", cwd=root)
    _wait_for_partial(out)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the parent and its workers
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("posecheck: error: interrupted: ")
    rows = _rows(out)
    assert {r["status"] for r in rows} <= {"scored", "interrupted"}, rows
    assert "interrupted" in {r["status"] for r in rows}
    for r in rows:
        if r["status"] == "interrupted" and r["complete"] == "False":
            # Stopped between two frames: partial results, marked so.
            s = json.loads(((out / r["out"]) / "summary.json").read_text())
            assert s["complete"] is False and s["frames"] == len(list(csv.DictReader(
                ((out / r["out"]) / "frames.csv").open())))
    again = posecheck("score", *_names(inputs, root), "--pose", "kneeling_lunge", "--out", str(out), "--jobs", "2",
                      "--no-history", "-q", cwd=root)
    assert again.code == 0, again.err
    statuses = [r["status"] for r in _rows(out)]
    assert statuses == ["skipped" if r["status"] == "scored" else "scored" for r in rows]
    for folder in ("frog", "frog-2", "lunge_side_120_left"):
        _same_results(out / folder, runs["1"][0] / folder)


def test_an_interrupted_chunked_recording_keeps_nothing_and_is_scored_whole_again(long_clip, tmp_path):
    clip, frames, one = long_clip
    out = tmp_path / "out"
    proc = _start("score", str(clip), "--pose", "kneeling_lunge", "--out", str(out), "--jobs", "2", "--no-history",
                  "--no-video")
    _wait_for_partial(out)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert_clean_error(Run(proc.returncode, "", err), 130, "practice.mp4 (it was being scored in 2 chunks)",
                       "run the same command again")
    assert list(out.iterdir()) == []  # no part of it, and no partial result stitched from parts
    again = posecheck("score", str(clip), "--pose", "kneeling_lunge", "--out", str(out), "--jobs", "2",
                      "--no-history", "--no-video", "-q")
    assert again.code == 0, again.err
    s = json.loads((out / "summary.json").read_text())
    assert s["complete"] is True and s["frames"] == frames and s["chunks"] == 2


def test_a_corrupt_input_fails_alone_and_is_counted(batch, tmp_path):
    root, inputs, runs = batch
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(os.urandom(4096))
    out = tmp_path / "out"
    # The good input typed as the fixture's runs typed it (from root): the summary names the
    # input as given, so only then can its results equal theirs file for file.
    run = posecheck("score", _names(inputs, root)[0], str(bad), str(tmp_path / "gone.mp4"), "--pose",
                    "kneeling_lunge", "--out", str(out), "--jobs", "2", "--no-history", "-q", cwd=root)
    assert run.code == 2
    assert "Traceback" not in run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 3 and lines[-1] == f"posecheck: error: 2 of 3 inputs failed (see {out / 'batch.csv'})."
    assert f"{bad} is not a readable video file" in run.err and "gone.mp4 does not exist" in run.err
    rows = _rows(out)
    assert [r["status"] for r in rows] == ["scored", "failed", "failed"]
    assert "not a readable video file" in rows[1]["reason"] and "does not exist" in rows[2]["reason"]
    _same_results(out / "frog", runs["1"][0] / "frog")


# -- on a Ray cluster ------------------------------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> list:
    """The local addresses listening on ``port`` (from /proc/net/tcp and tcp6)."""
    import ipaddress

    found = []
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            host, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:
                raw = bytes.fromhex(host)
                # /proc holds the address in 32-bit words of host byte order.
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, size, 4))
                ip = ipaddress.ip_address(words)
                found.append(getattr(ip, "ipv4_mapped", None) or ip)
    return found


@pytest.fixture(scope="module")
def ray_head():
    """A real Ray head on 127.0.0.1 with a free port and 2 CPUs, usage statistics off, no dashboard."""
    import socket
    import tempfile

    ray = Path(sys.executable).with_name("ray")
    if not ray.exists():
        pytest.skip("Ray is not installed: pip install -e '.[test,cluster]' (make test does)")
    port = _free_port()
    temp = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # Ray's socket paths must stay short
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = (temp / "head.log").open("w")
    head = subprocess.Popen([str(ray), "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
                             "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
                             f"--temp-dir={temp}"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 180
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if head.poll() is not None or time.time() > deadline:
                    pytest.fail(f"the Ray head did not start: {(temp / 'head.log').read_text()[-2000:]}")
                time.sleep(0.5)
        # Loopback only: nothing of the cluster is reachable from beyond this machine.
        assert _listening(port) and all(ip.is_loopback for ip in _listening(port)), _listening(port)
        yield f"127.0.0.1:{port}"
    finally:
        head.terminate()  # `ray start --block` stops the processes it started
        try:
            head.wait(timeout=90)
        except subprocess.TimeoutExpired:
            head.kill()
        log.close()
        shutil.rmtree(temp, ignore_errors=True)


def test_a_batch_on_a_ray_cluster_gives_the_files_of_a_local_run(batch, ray_head, tmp_path):
    root, inputs, runs = batch
    out = tmp_path / "out"
    run = posecheck("score", *_names(inputs, root), "--pose", "kneeling_lunge", "--out", str(out), "--cluster",
                    ray_head, "--no-history", cwd=root)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    data = json.loads((out / "batch.json").read_text())
    assert data["executor"] == f"ray {ray_head}, 2 CPUs" and data["counts"] == {"scored": 3}
    for folder in ("frog", "frog-2", "lunge_side_120_left"):
        _same_results(out / folder, runs["1"][0] / folder)


def test_a_long_recording_on_a_ray_cluster_is_chunked_as_on_this_machine(long_clip, chunked, ray_head, tmp_path):
    clip, frames, _ = long_clip
    out = tmp_path / "out"
    run = posecheck("score", str(clip), "--pose", "kneeling_lunge", "--out", str(out), "--no-history", "-q",
                    env={"POSECHECK_RAY_ADDRESS": ray_head})
    assert run.code == 0, run.err
    # The same two chunks, on the cluster's two CPUs: the very files of the local chunked run.
    assert json.loads((out / "summary.json").read_text())["chunks"] == 2
    _same_results(out, chunked)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_a_ray_worker_killed_mid_task_is_retried_and_the_batch_completes(batch, ray_head, tmp_path):
    root, inputs, runs = batch
    out = tmp_path / "out"
    proc = _start("score", *_names(inputs, root), "--pose", "kneeling_lunge", "--out", str(out), "--cluster",
                  ray_head, "--no-history", cwd=root)
    partial = _wait_for_partial(out)
    victim = _writer_pid(partial)  # the Ray worker process running that task
    assert victim != proc.pid
    os.kill(victim, signal.SIGKILL)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert [r["status"] for r in _rows(out)] == ["scored"] * 3
    for folder in ("frog", "frog-2", "lunge_side_120_left"):
        _same_results(out / folder, runs["1"][0] / folder)
    assert not [p for p in out.rglob(".*")]
