"""Every benchmark script still compiles.

Why: the benches are scripts run by hand or by `make bench`, never by pytest, so a syntax error
would go unnoticed until someone needs the figures. They are only compiled, not imported: importing
one may set environment variables (the storage models bind at import) or start DynamoDB Local.
"""

from __future__ import annotations

import py_compile
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
BENCH_SCRIPTS = sorted(BENCH_DIR.glob("bench_*.py"))


def test_there_are_bench_scripts() -> None:
    assert BENCH_SCRIPTS, f"no bench_*.py in {BENCH_DIR}"


@pytest.mark.parametrize("script", BENCH_SCRIPTS, ids=lambda path: path.name)
def test_bench_script_compiles(script: Path, tmp_path: Path) -> None:
    py_compile.compile(str(script), cfile=str(tmp_path / f"{script.stem}.pyc"), doraise=True)
