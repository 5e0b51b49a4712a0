"""The zip carries our bytecode for Lambda's Python (a read-only code directory compiles every cold start)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.package import LAMBDA_BYTECODE_TAG, PackagingError, _compile_bytecode, _stale_bytecode


def test_bytecode_of_a_source_in_the_zip_is_not_stale() -> None:
    names = ["shared/policy.py", f"shared/__pycache__/policy.{LAMBDA_BYTECODE_TAG}.pyc"]
    assert _stale_bytecode(names) == []


@pytest.mark.parametrize(
    "cache",
    [
        f"shared/__pycache__/gone.{LAMBDA_BYTECODE_TAG}.pyc",  # its source is not in the zip: left from a deleted module
        "shared/__pycache__/policy.cpython-312.pyc",  # another Python's: the runtime would ignore it
        "shared/__pycache__/policy.cpython-311.opt-1.pyc",  # an optimisation level the runtime does not load
        "shared/__pycache__/notes.txt",
    ],
)
def test_a_stale_or_foreign_cache_file_is_refused(cache: str) -> None:
    assert _stale_bytecode(["shared/policy.py", cache]) == [cache]


def test_compiled_files_load_whatever_their_times(tmp_path: Path) -> None:
    package = tmp_path / "shared"
    package.mkdir()
    (package / "policy.py").write_text("ANSWER = 42\n", encoding="utf-8")
    _compile_bytecode(package)
    compiled = package / "__pycache__" / f"policy.{LAMBDA_BYTECODE_TAG}.pyc"
    flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
    assert flags == 0b01, "an unchecked hash-based .pyc (PEP 552): the zip's file times do not matter"


def test_a_syntax_error_stops_the_build(tmp_path: Path) -> None:
    package = tmp_path / "shared"
    package.mkdir()
    (package / "broken.py").write_text("def (:\n", encoding="utf-8")
    with pytest.raises(PackagingError):
        _compile_bytecode(package)
