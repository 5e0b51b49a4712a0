"""ruff and mypy are part of the suite: the configuration in pyproject.toml is the rule."""

from __future__ import annotations

import re
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


def test_import_linter_keeps_every_layer_contract():
    # The contracts and today's ignored offenders are in pyproject.toml's [tool.importlinter].
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


# Size limits of issue 14: a module says one thing. Today's offenders are named here, to shrink:
# a module that moves or falls within its limit must leave the list (the last test says so).
SHARED_MODULE_LINES = 500
FUNCTION_MODULE_LINES = 150
TOO_LONG_TODAY: set[str] = set()  # issue 14: every module is within its limit now


def _module_lines() -> dict[str, tuple[int, int]]:
    """Every module under shared/ and functions/: its path → (lines, limit)."""
    sizes = {}
    for folder, limit in (("shared", SHARED_MODULE_LINES), ("functions", FUNCTION_MODULE_LINES)):
        for path in sorted((ROOT / folder).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            sizes[path.relative_to(ROOT).as_posix()] = (lines, limit)
    return sizes


def test_no_module_passes_its_size_limit():
    too_long = {
        name: lines
        for name, (lines, limit) in _module_lines().items()
        if lines > limit and name not in TOO_LONG_TODAY
    }
    assert too_long == {}, f"over {SHARED_MODULE_LINES} lines (shared/) or {FUNCTION_MODULE_LINES} (functions/)"


def test_the_size_allow_list_only_names_todays_offenders():
    sizes = _module_lines()
    stale = {name for name in TOO_LONG_TODAY if name not in sizes or sizes[name][0] <= sizes[name][1]}
    assert stale == set(), "these are within their limit now (or gone): take them off TOO_LONG_TODAY"


def test_tests_never_import_each_other():
    """Shared helpers live in tests/functional/helpers.py and fixtures in tests/conftest.py (issue 14)."""
    importing = re.compile(r"^\s*(from|import)\s+tests\.[\w.]*\btest_\w+", re.MULTILINE)
    offenders = sorted(
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("*.py")
        if importing.search(path.read_text(encoding="utf-8"))
    )
    assert offenders == []
