"""The layering holds: checked with import-linter's contracts in ``.importlinter``.

Lower layers never import higher ones (core < checks < specs < judge < track < session <
io < render / estimators < app < cli); the core and the judging import no media, model
or plotting library; only the estimator adapters import mediapipe; only the CLI imports
click and rich.
"""

from __future__ import annotations

import subprocess
import sys

from ..cli_helpers import ROOT


def test_every_import_contract_is_kept(tmp_path):
    code = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    run = subprocess.run([sys.executable, "-c", code, "--config", str(ROOT / ".importlinter"),
                          "--cache-dir", str(tmp_path), "--no-logo"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout, run.stdout
    assert run.stdout.count(" KEPT") == 4, run.stdout
