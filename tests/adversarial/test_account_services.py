"""The account services' boundaries refuse what a hurried change (or a costly run) would slip in.

Each test is the attempt and its expected refusal: an account function that reaches for a storage
model (lint-imports refuses: the six ignore entries are gone), a suppression key built by hand outside
its one module, and a deletion run that reads a deleted account a second time (one GetItem per action).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.functional.helpers import copy_of_project, run_day, signup_and_verify

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# f"SUPPRESS#{...}" or "SUPPRESS#" + ...: a key being built (a docstring naming the shape is not).
KEY_BUILT = re.compile(r"""f["']SUPPRESS#\{|["']SUPPRESS#["']\s*\+""")
ACCOUNT_FUNCTIONS = ["apps", "export", "lifecycle", "sweep", "trial_expiry", "users"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's packages and pyproject.toml, copied: the attempts never touch the real tree."""
    return copy_of_project(tmp_path_factory.mktemp("tree"))


@pytest.mark.parametrize("function", ACCOUNT_FUNCTIONS)
def test_an_account_function_that_imports_a_storage_model_is_refused(tree: Path, function: str) -> None:
    module = tree / "functions" / f"{function}.py"
    original = module.read_text(encoding="utf-8")
    try:
        module.write_text(original + "\nfrom shared.storage.models import Account  # noqa: E402, F401\n",
                          encoding="utf-8")
        result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True,
                                timeout=300, check=False)
    finally:
        module.write_text(original, encoding="utf-8")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "functions use no storage model and no PynamoDB BROKEN" in output, output
    assert f"functions.{function} -> shared.storage.models" in output, output


def test_no_module_but_suppressions_builds_a_suppression_key() -> None:
    """A second copy of the key would let a purge leave an address's suppression (and its hash) behind."""
    builders = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "shared").rglob("*.py")
        if KEY_BUILT.search(path.read_text(encoding="utf-8"))
    ]
    assert builders == ["shared/storage/suppressions.py"]


class _Requests:
    """Counts the DynamoDB operations of every botocore client while installed (the calls still run)."""

    def __init__(self) -> None:
        self.gets: Counter[str] = Counter()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import botocore.client

        real = botocore.client.BaseClient._make_api_call
        gets = self.gets

        def counting(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if operation == "GetItem":
                gets[str(params.get("Key", {}).get("sk", {}).get("S"))] += 1
            return real(client, operation, params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)


def test_the_deletion_run_does_not_read_a_deleted_account_a_second_time(client, outbox_dir, monkeypatch) -> None:
    """The purge reads the account's partition anyway: a GetItem of the account before it is pure cost
    (it put the deletion sweep over its capacity target)."""
    from functions import lifecycle
    from shared.storage.models import CocoonItem

    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    run_day("2026-03-01T00:00:00+01:00")  # the trial ran out: deactivated
    run_day("2026-08-14T00:00:00+02:00")  # warned of deletion
    requests = _Requests()
    requests.install(monkeypatch)
    result = lifecycle.run(datetime.fromisoformat("2026-08-28T00:00:00+02:00"))
    assert (result.done, result.failed) == (1, 0), result.summary()
    assert requests.gets["ACCOUNT"] == 0, dict(requests.gets)
    assert list(CocoonItem.query(f"ACCOUNT#{verified['account_id']}")) == []
