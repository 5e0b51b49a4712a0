"""Storage is the only door to PynamoDB, and it composes no mail (issue 14, the last lane).

Each test is the attempt a hurried change would make, in a copy of the tree (tests/adversarial/
test_layer_checks.py's fixture), and the expected refusal by `lint-imports`; and the attempt to slip
a mail composition back into a storage writer the lanes emptied.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.functional.helpers import copy_of_project

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

ONLY_STORAGE = "only storage imports pynamodb"
STORAGE_ONLY_STORES = "storage only stores: no services, api or mail"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """The project's packages and pyproject.toml, copied: the attempt never touches the real tree."""
    return copy_of_project(tmp_path)


def refused(tree: Path, contract: str) -> str:
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True,
                            timeout=300, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"{contract} BROKEN" in output, output
    return output


def add_module(tree: Path, name: str, source: str) -> None:
    (tree / name).write_text(f'"""An attempt."""\n\n{source}\n', encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("shared/services/accounts/shortcut.py", "from pynamodb.exceptions import DoesNotExist"),
        ("shared/api/shortcut.py", "from pynamodb.exceptions import PutError"),
        ("shared/mail/shortcut.py", "import pynamodb.models"),
        ("functions/shortcut.py", "from pynamodb.exceptions import UpdateError"),
    ],
)
def test_a_service_api_mail_or_function_that_catches_pynamodb_errors_itself_is_refused(
    tree: Path, module: str, imported: str
) -> None:
    add_module(tree, module, f"{imported}  # noqa: F401")
    output = refused(tree, ONLY_STORAGE)
    assert module.removesuffix(".py").replace("/", ".") in output


@pytest.mark.parametrize("writer", ["accounts", "billing", "cancellations", "lifecycle"])
def test_a_storage_writer_that_composes_its_mail_again_is_refused(tree: Path, writer: str) -> None:
    # These four had an ignore entry while their mails were composed in storage: none is left to hide behind.
    path = tree / "shared" / "storage" / f"{writer}.py"
    path.write_text(path.read_text(encoding="utf-8") + "\nfrom shared.mail.compose import compose_mail  # noqa\n",
                    encoding="utf-8")
    output = refused(tree, STORAGE_ONLY_STORES)
    assert f"shared.storage.{writer} -> shared.mail.compose" in output


def test_no_storage_module_names_mail_context_or_compose_any_more() -> None:
    # The template context of an account lives with the mail (shared/mail/context.py), not in storage.
    root = ROOT / "shared" / "storage"
    composing = {
        path.name for path in root.glob("*.py")
        if "compose_mail" in path.read_text(encoding="utf-8") or "def mail_context" in path.read_text(encoding="utf-8")
    }
    assert composing == set()
