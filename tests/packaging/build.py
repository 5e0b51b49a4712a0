"""One `make package` per test process, shared by every module that inspects the artefacts."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import package

STAGE = "prod"
_built: dict[str, Path] = {}


def packaged_dist(tmp_path_factory: pytest.TempPathFactory, stage: str = STAGE) -> Path:
    """`dist/` of the stage (sam.json and deployment.zip), built by the same entry point as `make package`."""
    if stage not in _built:
        out = tmp_path_factory.mktemp("dist")
        assert package.main(["--out", str(out), "--stage", stage]) == 0, "make package failed (see captured stderr)"
        _built[stage] = out
    return _built[stage]
