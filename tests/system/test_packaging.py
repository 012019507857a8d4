"""The built wheel carries the bundled specs and the practice page, so an installed posecheck finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from ..cli_helpers import ROOT


def test_wheel_contains_pose_specs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
         str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("posecheck-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    specs = sorted(n for n in names if n.startswith("posecheck/pose_specs/") and n.endswith(".yaml"))
    bundled = sorted(p.name for p in (ROOT / "pose_specs").glob("*.yaml"))
    assert [n.rsplit("/", 1)[1] for n in specs] == bundled
    assert "posecheck/cli/app.py" in names
    # posecheck serve's page and everything it loads (no CDN: the wheel is all it needs).
    web = ROOT / "posecheck" / "app" / "web"
    page = sorted(p.relative_to(ROOT).as_posix() for p in web.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert {"posecheck/app/web/index.html", "posecheck/app/web/static/app.js",
            "posecheck/app/web/static/style.css"} <= set(page)
    assert set(page) <= set(names), set(page) - set(names)
