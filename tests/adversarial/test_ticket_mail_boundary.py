"""Ticket mails are composed by the support services, never by storage (issue 14, the very last piece).

Each test is the attempt a hurried change would make, and the expected refusal: a storage module
composing a ticket mail again (in a copy of the tree, refused by `lint-imports`), an ignore entry
to hide it behind, storage re-rendering what the service composed, a second closed-ticket notice
the same day, an authorization request with nobody to mail, and a function catching storage's errors.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from tests.functional.helpers import INTAKE_NOW, copy_of_project, open_ticket_by_mail, table_snapshot

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
STORAGE_ONLY_STORES = "storage only stores: no services, api or mail"
NOW = datetime.fromisoformat(INTAKE_NOW)


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


def test_no_contract_keeps_an_ignore_entry_to_hide_an_offender_behind() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert len(contracts) == 5
    assert [c["name"] for c in contracts if c.get("ignore_imports")] == []


def test_a_storage_module_that_composes_ticket_mails_again_is_refused(tree: Path) -> None:
    # The module that held the last ignore entry: writing it back gets no pass any more.
    (tree / "shared" / "storage" / "ticket_mails.py").write_text(
        '"""An attempt."""\n\nfrom shared.mail.compose import compose_mail  # noqa\n', encoding="utf-8"
    )
    output = refused(tree, STORAGE_ONLY_STORES)
    assert "shared.storage.ticket_mails -> shared.mail.compose" in output


def test_storage_names_no_ticket_mail_context_and_takes_no_mail_order() -> None:
    storage = ROOT / "shared" / "storage"
    offenders = {
        path.name
        for path in storage.glob("*.py")
        if any(word in path.read_text(encoding="utf-8") for word in ("ticket_mail_context", "TicketMailOrder"))
    }
    assert offenders == set()


def _composed(number: str, mail_id: str, context: dict[str, str]) -> object:
    from shared.mail.compose import ComposedMail

    return ComposedMail(
        mail_id=mail_id, account_id=None, recipient="fremd@example.org", template="ticket_closed_notice",
        language="de", context=context, composed_at=NOW, headers={"X-Loop": "cocoon"}, subject_tag=number,
    )


def test_storage_stores_the_composed_notice_as_it_is_and_only_once_a_day(db: str) -> None:
    from shared.storage.models import OutboxMail
    from shared.storage.tickets import save_closed_ticket_notice

    context = {"number": "2026112310001", "subject": "Exactly this"}
    mail = _composed("2026112310001", "closed-notice-x", context)
    assert save_closed_ticket_notice(mail, NOW) is True  # type: ignore[arg-type]
    assert save_closed_ticket_notice(mail, NOW) is False  # type: ignore[arg-type]  # the same sender, the same day
    stored = OutboxMail.get("SYSTEM", "MAIL#closed-notice-x")
    # Storage renders nothing and tags nothing: it keeps the service's values, byte for byte, for the mail job.
    assert (stored.template, stored.language, stored.context, stored.subject_tag) == (
        "ticket_closed_notice", "de", context, "2026112310001")
    assert stored.subject is None and stored.body_text is None


def test_an_authorization_request_with_nobody_named_is_the_service_s_refusal_and_writes_nothing(
    client, customer
) -> None:
    from shared.policy import get_policy
    from shared.services.support.authorizations import require_authorization
    from shared.services.support.errors import ProcessError
    from shared.settings import get_settings
    from shared.storage.tickets import find_ticket

    number = open_ticket_by_mail(client)
    ticket = find_ticket(number)
    assert ticket is not None
    before = table_snapshot(get_settings().table_name)
    with pytest.raises(ProcessError, match="nobody"):
        require_authorization(ticket, NOW, get_policy())
    assert table_snapshot(get_settings().table_name) == before


@pytest.mark.parametrize(
    ("function", "storage_import"),
    [
        ("customer_links.py", "from shared.storage.authorizations import"),
        ("staff_ticket_work.py", "from shared.storage.authorizations import"),
        ("staff_ticket_work.py", "from shared.storage.support import ProcessError"),
    ],
)
def test_no_function_catches_a_support_refusal_from_storage(function: str, storage_import: str) -> None:
    assert storage_import not in (ROOT / "functions" / function).read_text(encoding="utf-8")
