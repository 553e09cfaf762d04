"""The architecture's contracts hold (pyproject.toml): the workflow machines and the gateway protocols
import no Flask, no database and no feature (import-linter), and their types check strictly (mypy).
A change that breaks either fails here, in CI, not only in `make lint`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from config import BASE_DIR

BIN = Path(sys.executable).parent


def run(tool: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool)], cwd=BASE_DIR, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_are_kept():
    result = run("lint-imports")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and "KEPT" in result.stdout


def test_the_pure_cores_type_check():
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
