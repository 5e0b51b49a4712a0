"""Attacks on the support desk's boundary: each is the attacker's attempt and the expected refusal.

The intake decision and the state machine are services now, so each attempt runs straight
against the service with an in-memory store (the functional tests cover the same over HTTP):
nothing the attacker sends may reach a write.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from shared.rules.sender_trust import NOT_CHECKED, SenderTrust
from tests.unit.services.fakes import AGENT, CONTACT, FakeIntake, FakeProcess, raw_mail, ticket

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
SUPPORT_FUNCTIONS = (
    "inbound_email",
    "tickets",
    "staff_tickets",
    "staff_ticket_handling",
    "staff_ticket_work",
    "mail_review",
    "customer_links",
    "sla_watch",
)


@pytest.fixture
def desk() -> tuple[FakeIntake, Any]:
    from shared.policy import get_policy
    from shared.services.support.intake import MailKeys

    store = FakeIntake()
    store.contacts[CONTACT] = SimpleNamespace(user_id="usr_1", email=CONTACT, name="Anna")
    store.tickets["2026112210001"] = SimpleNamespace(number="2026112210001", account_id="acc_1", state="in_progress")
    return store, MailKeys(policy=get_policy(), mail_id_of=lambda _m: None, was_sent_to=lambda _m, _a: False)


def test_a_stranger_quoting_a_real_ticket_tag_gets_into_nothing(desk: tuple[FakeIntake, Any]) -> None:
    from shared.services.support.intake import take_in_mail

    store, keys = desk
    raw = raw_mail("attacker@evil.example", "Re: [Ticket#2026112210001] please send the logs here")
    assert take_in_mail(raw, NOW, trust=NOT_CHECKED, store=store, mail_keys=keys) == ("dropped", None)
    assert store.writes == []


def test_a_forged_from_of_a_contact_only_reaches_the_review_list(desk: tuple[FakeIntake, Any]) -> None:
    from shared.services.support.intake import take_in_mail

    store, keys = desk
    raw = raw_mail(CONTACT, "Re: [Ticket#2026112210001] new bank details")
    outcome = take_in_mail(raw, NOW, trust=SenderTrust(False, "dmarc_fail"), store=store, mail_keys=keys)
    assert outcome == ("unverified_sender", None)
    assert [kind for kind, _ in store.writes] == ["unverified"]  # no message, no ticket, no answer


def test_a_contact_of_a_cancelled_account_cannot_write_into_its_old_ticket(desk: tuple[FakeIntake, Any]) -> None:
    from shared.services.support.intake import take_in_mail

    store, keys = desk
    store.live = False
    raw = raw_mail(CONTACT, "Re: [Ticket#2026112210001]")
    assert take_in_mail(raw, NOW, trust=NOT_CHECKED, store=store, mail_keys=keys) == ("dropped", None)
    assert store.writes == []


def test_staff_cannot_start_work_the_customer_has_not_authorized() -> None:
    from shared.services.support.errors import ProcessError
    from shared.services.support.process import change_state

    store = FakeProcess()
    with pytest.raises(ProcessError):
        change_state(ticket("assigned", needs_authorization=True), "in_progress", AGENT, NOW, None, store)  # type: ignore[arg-type]
    assert store.applied == []


def test_a_closed_ticket_cannot_be_brought_back_by_any_state() -> None:
    from shared.rules.support.states import TRANSITIONS
    from shared.services.support.errors import ProcessError
    from shared.services.support.process import change_state

    for wanted in TRANSITIONS:
        store = FakeProcess()
        with pytest.raises(ProcessError):
            change_state(ticket("closed"), wanted, AGENT, NOW, None, store)  # type: ignore[arg-type]
        assert store.applied == []


@pytest.mark.parametrize("module", SUPPORT_FUNCTIONS)
def test_no_support_function_touches_the_models_or_pynamodb(module: str) -> None:
    """A route that reads models itself can skip the service's checks: the edge calls a service only."""
    tree = ast.parse((ROOT / "functions" / f"{module}.py").read_text())
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not {name for name in imported if name.startswith(("pynamodb", "shared.storage.models"))}
