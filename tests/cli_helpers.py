"""Running the real ``posecheck`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    code: int
    out: str
    err: str


def posecheck(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 600,
              input: str | None = None) -> Run:
    """Run ``python -m posecheck ARGS``; return the exit code, stdout and stderr."""
    full_env = {**os.environ, "COLUMNS": "160", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "posecheck", *args], cwd=cwd or ROOT, env=full_env,
        capture_output=True, text=True, timeout=timeout, input=input,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_clean_error(run: Run, code: int, *fragments: str) -> str:
    """The run failed with ``code``, one stderr line containing every fragment, no traceback."""
    assert run.code == code, (run.code, run.err)
    assert "Traceback" not in run.err, run.err
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    for frag in fragments:
        assert frag in lines[0], (frag, lines[0])
    return lines[0]
