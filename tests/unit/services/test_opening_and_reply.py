"""Opening a ticket and a staff reply, decided by the support services with in-memory stores (no database)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shared.policy import get_policy
from shared.rules.tickets import RequestDetails
from shared.services.support import desk
from shared.services.support.tickets import add_customer_message, open_ticket
from shared.storage.tickets import NewRequest, Requester
from tests.unit.services.fakes import AGENT, FakeReplies, FakeTickets

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY_11 = datetime(2026, 11, 23, 11, 0, tzinfo=BERLIN)


def requester(country: str) -> Requester:
    account = SimpleNamespace(account_id="acc_1", country=country)
    user = SimpleNamespace(user_id="usr_1", email="anna@kunde.example", name="Anna")
    return Requester(account, user)  # type: ignore[arg-type]


def request(impact: str | None = None, oversized: tuple[tuple[str, int], ...] = (), **details: Any) -> NewRequest:
    return NewRequest(
        subject="Export fails",
        channel="form",
        details=RequestDetails(**{"description": "The export stops at 50%.", **details}),
        impact=impact,
        oversized=oversized,
    )


def opened(country: str, req: NewRequest, now: datetime = MONDAY_11) -> Any:
    store = FakeTickets()
    ticket = open_ticket(requester(country), req, now, get_policy(), store=store)
    assert len(store.opened) == 1 and store.opened[0][1].number == ticket.number
    return store.opened[0][1]


def test_the_region_follows_the_accounts_country_and_others_get_the_default() -> None:
    assert opened("DE", request()).region == "DACH"
    assert opened("de", request()).region == "DACH"  # the country code's case does not matter
    assert opened("US", request()).region == "USA"
    assert opened("FR", request()).region == "EMEA"


@pytest.mark.parametrize(
    ("impact", "priority"),
    [("unusable", "urgent"), ("severe", "high"), ("moderate", "normal"), ("minimal", "low"), (None, "normal")],
)
def test_the_priority_follows_the_stated_impact(impact: str | None, priority: str) -> None:
    assert opened("DE", request(impact)).priority == priority


def test_the_first_response_is_due_after_the_prioritys_support_hours() -> None:
    # Monday 11:00 in Munich: high is 8 support hours (10-18) → Tuesday 11:00; urgent 4 h → Monday 15:00.
    assert opened("DE", request("severe")).first_response_due == datetime(2026, 11, 24, 11, 0, tzinfo=BERLIN)
    assert opened("DE", request("unusable")).first_response_due == datetime(2026, 11, 23, 15, 0, tzinfo=BERLIN)
    # Friday 17:30: 4 urgent hours are 30 minutes on Friday and 3.5 h on Monday → Monday 13:30.
    friday = datetime(2026, 11, 20, 17, 30, tzinfo=BERLIN)
    assert opened("DE", request("unusable"), friday).first_response_due == datetime(
        2026, 11, 23, 13, 30, tzinfo=BERLIN
    )
    # A US account counts New York's hours (9-17): 05:00 in New York is before opening.
    early = datetime(2026, 11, 23, 5, 0, tzinfo=NEW_YORK)
    assert opened("US", request("unusable"), early).first_response_due == datetime(
        2026, 11, 23, 13, 0, tzinfo=NEW_YORK
    )


def test_the_acknowledgement_asks_for_exactly_what_is_missing() -> None:
    opening = opened("DE", request(steps="1. Export", version="5.2"))
    (ack,) = opening.mails
    assert ack.template == "ticket_acknowledgement" and ack.mail_id == f"ticket-ack-{opening.number}"
    assert ack.recipient is None  # the requester
    # Named as the acknowledgement words them (SPEC §6 "What we ask for").
    assert set(ack.extra["missing"]) == {
        "since when it happens",
        "whether other users are affected",
        "logs or screenshots",
        "a technical contact",
    }
    assert opening.missing == tuple(ack.extra["missing"])


def test_attachments_too_large_to_keep_get_their_own_mail() -> None:
    opening = opened("DE", request(oversized=(("dump.bin", 9_000_000),)))
    assert [m.template for m in opening.mails] == ["ticket_acknowledgement", "attachment_too_large"]
    assert opening.mails[1].extra["oversized"] == [{"filename": "dump.bin", "size": 9_000_000}]
    assert opening.mails[1].extra["limit_mb"] == 3


def test_the_status_update_is_due_after_the_working_days_of_the_policy() -> None:
    policy = get_policy()
    days = policy.support.status_update_every_working_days
    opening = opened("DE", request())
    assert opening.status_update_due > opening.first_response_due
    assert opening.status_update_due.astimezone(BERLIN).hour == 11  # whole support days from Monday 11:00
    assert (opening.status_update_due - MONDAY_11).days >= days


def test_a_message_to_a_waiting_ticket_resumes_its_clock_and_others_do_not() -> None:
    store = FakeTickets()
    waiting = SimpleNamespace(
        number="2026112310001",
        state="waiting_for_customer",
        waiting_since=datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN),
        paused_hours="1.5",
        first_response_at=None,
        received_at=datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN),
        priority="high",
        region="DACH",
        assignee_id=None,  # nobody to notify (shared/services/support/notifications.py)
    )
    add_customer_message(waiting, None, "here it is", "email", MONDAY_11.replace(hour=14), policy=get_policy(), store=store)  # type: ignore[arg-type]
    (_, _, resumed) = store.messages[0]
    assert resumed is not None and resumed.paused_hours == 3.5  # 1.5 before, 2 support hours now
    # 8 support hours from Monday 10:00 plus 3.5 paused: Tuesday 13:30.
    assert resumed.first_response_due == datetime(2026, 11, 24, 13, 30, tzinfo=BERLIN)
    open_one = SimpleNamespace(**{**vars(waiting), "state": "in_progress", "number": "2026112310002"})
    add_customer_message(open_one, None, "more", "email", MONDAY_11, policy=get_policy(), store=store)  # type: ignore[arg-type]
    assert store.messages[1][2] is None


def ticket_for_reply(state: str = "in_progress") -> Any:
    return SimpleNamespace(number="2026112310001", state=state, region="DACH")


def test_a_reply_is_mailed_to_the_requester_and_moves_the_status_update_on() -> None:
    store = FakeReplies()
    desk.reply(ticket_for_reply(), AGENT, "Fixed in 5.2.2.", MONDAY_11, get_policy(), store=store)
    (saved,) = store.saved
    mail = saved["mail"]
    assert mail.template == "ticket_reply" and mail.recipient is None
    assert mail.mail_id == f"ticket-reply-2026112310001-{saved['message_id']}"  # one mail per message
    assert mail.extra == {"agent_name": "Ben", "text": "Fixed in 5.2.2."}
    assert saved["author"] == "Ben" and saved["status_update_due"] > MONDAY_11


def test_a_reply_to_a_closed_ticket_is_refused_and_writes_nothing() -> None:
    store = FakeReplies()
    with pytest.raises(desk.TicketClosed):
        desk.reply(ticket_for_reply("closed"), AGENT, "too late", MONDAY_11, get_policy(), store=store)
    assert store.saved == []
    raced = FakeReplies(closed_meanwhile=True)
    with pytest.raises(desk.TicketClosed):
        desk.reply(ticket_for_reply(), AGENT, "closed while typing", MONDAY_11, get_policy(), store=raced)
    assert raced.saved == []
