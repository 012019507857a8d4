"""``--cluster`` when it cannot work: one line saying what to do, before anything is scored."""

from __future__ import annotations

import os
import socket

from ...cli_helpers import assert_clean_error, posecheck
from ...conftest import sample


def test_without_ray_installed_cluster_says_what_to_install(tmp_path):
    # A stand-in for a Python without the extra: a `ray` that cannot be imported.
    fake = tmp_path / "no-ray" / "ray"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    paths = os.pathsep.join([str(tmp_path / "no-ray"), os.environ.get("PYTHONPATH", "")])
    run = posecheck("score", str(sample("lunge_side_90_left.mp4")), "--pose", "kneeling_lunge", "--out",
                    str(tmp_path / "o"), "--cluster", "127.0.0.1:6379", env={"PYTHONPATH": paths})
    assert_clean_error(run, 6, "--cluster needs Ray, which is not installed",
                       "pip install 'posecheck[cluster]'")
    assert not (tmp_path / "o").exists()


def test_an_address_where_no_cluster_answers_fails_at_once(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    run = posecheck("score", str(sample("lunge_side_90_left.mp4")), "--pose", "kneeling_lunge", "--out",
                    str(tmp_path / "o"), env={"POSECHECK_RAY_ADDRESS": f"127.0.0.1:{port}"}, timeout=60)
    assert_clean_error(run, 6, f"no Ray cluster answers at 127.0.0.1:{port}", "ray start --head")
    assert not (tmp_path / "o").exists()


def test_replay_runs_no_model_so_it_takes_no_cluster(tmp_path):
    run = posecheck("score", "--replay", str(tmp_path / "x.jsonl"), "--pose", "frog", "--out", str(tmp_path / "o"),
                    "--cluster", "127.0.0.1:1")
    assert_clean_error(run, 2, "--replay runs no model")
