"""ruff and mypy are part of the suite: the configuration in pyproject.toml is the rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_finds_nothing():
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_the_application():
    result = _run(str(BIN / "mypy"), "app.py", "functions", "shared", "infra", "bench")
    assert result.returncode == 0, result.stdout + result.stderr
