"""The layer checks of issue 14 refuse what a hurried change would slip in.

Each test is the attempt (an import across a layer, a cycle, a wider ignore list) made in a copy of the
tree, and the expected refusal: `lint-imports` fails and names the contract that was broken.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.functional.helpers import copy_of_project

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The project's packages and pyproject.toml, copied: the attempt never touches the real tree."""
    return copy_of_project(tmp_path)


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True,
                          timeout=300, check=False)


def refused(tree: Path, contract: str) -> str:
    result = lint(tree)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{contract} BROKEN" in output, output
    return output


def add_module(tree: Path, name: str, source: str) -> None:
    (tree / name).write_text(f'"""An attempt."""\n\n{source}\n', encoding="utf-8")


def test_the_copied_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = lint(tree)
    assert result.returncode == 0 and "0 broken" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("imported", ["shared.storage.models", "shared.settings", "boto3", "pynamodb.models",
                                      "shared.api.errors", "shared.mail.render"])
def test_a_rule_that_reaches_for_storage_settings_aws_api_or_mail_is_refused(tree: Path, imported: str) -> None:
    add_module(tree, "shared/rules/shortcut.py", f"import {imported}  # noqa: F401")
    output = refused(tree, "rules are pure: no storage, services, api, mail, settings, PynamoDB or boto3")
    assert "shared.rules.shortcut" in output


def test_storage_that_renders_mail_or_reads_the_request_is_refused(tree: Path) -> None:
    add_module(tree, "shared/storage/shortcut.py", "from shared.api import context  # noqa: F401")
    refused(tree, "storage only stores: no services, api or mail")


def test_a_function_that_uses_a_storage_model_or_pynamodb_is_refused(tree: Path) -> None:
    add_module(tree, "functions/shortcut.py", "from shared.storage.models import Account  # noqa: F401")
    refused(tree, "functions use no storage model and no PynamoDB")
    add_module(tree, "functions/shortcut.py", "from pynamodb.exceptions import PutError  # noqa: F401")
    refused(tree, "functions use no storage model and no PynamoDB")


def test_two_modules_of_a_package_that_import_each_other_are_refused(tree: Path) -> None:
    add_module(tree, "shared/storage/left.py", "from shared.storage import right  # noqa: F401")
    add_module(tree, "shared/storage/right.py", "from shared.storage import left  # noqa: F401")
    refused(tree, "no cycles between the packages and modules of shared")


def test_an_ignore_entry_for_an_import_that_does_not_exist_is_refused(tree: Path) -> None:
    """The ignore lists name today's offenders only: a wider list (room for tomorrow's) does not pass."""
    pyproject = tree / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    contract = text.index('name = "functions use no storage model and no PynamoDB"')
    start = text.index("allow_indirect_imports = true\n", contract) + len("allow_indirect_imports = true\n")
    pyproject.write_text(text[:start] + 'ignore_imports = ["functions.docs -> shared.storage.models"]\n' + text[start:],
                         encoding="utf-8")
    result = lint(tree)
    assert result.returncode != 0, result.stdout
    assert "No matches for ignored import functions.docs -> shared.storage.models" in result.stdout + result.stderr
