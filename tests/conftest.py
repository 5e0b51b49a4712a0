"""Shared fixtures: the team's test data folder and, on request, DynamoDB Local."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def testdata_path() -> Path:
    """Where ../shared/testdata is: COCOON_TESTDATA overrides the default beside the project."""
    return Path(os.environ.get("COCOON_TESTDATA", PROJECT_ROOT.parent / "shared" / "testdata"))


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    path = testdata_path()
    if not path.is_dir():
        pytest.skip(f"team test data not found at {path} (set COCOON_TESTDATA to its folder)")
    return path
