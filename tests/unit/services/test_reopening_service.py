"""The customer's message to a solved ticket: the service decides the reopening, storage only writes it."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from shared.policy import get_policy
from shared.services.support.tickets import add_customer_message, takes_customer_message

BERLIN = ZoneInfo("Europe/Berlin")
SOLVED_AT = datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN)


class RecordingTickets:
    def __init__(self) -> None:
        self.writes: list[dict[str, Any]] = []

    def save_customer_message(self, ticket: Any, author: Any, text: str, channel: str, now: datetime, resumed: Any,
                              **blobs: Any) -> None:
        self.writes.append({"number": ticket.number, "text": text, **blobs})


def solved_ticket() -> Any:
    return SimpleNamespace(number="2026112310001", state="solved", solved_at=SOLVED_AT, region="DACH", assignee_id=None)


def test_a_message_within_the_days_reopens_with_the_next_status_update() -> None:
    store = RecordingTickets()
    now = SOLVED_AT + timedelta(days=2)
    add_customer_message(solved_ticket(), None, "still broken", "app", now, policy=get_policy(), store=store)  # type: ignore[arg-type]
    due = store.writes[0]["reopen_status_due"]
    assert due is not None and due > now


def test_an_open_ticket_is_not_reopened_and_a_late_message_is_not_taken() -> None:
    store = RecordingTickets()
    open_one = SimpleNamespace(number="2026112310002", state="in_progress", region="DACH", assignee_id=None)
    add_customer_message(open_one, None, "more", "app", SOLVED_AT, policy=get_policy(), store=store)  # type: ignore[arg-type]
    assert "reopen_status_due" not in store.writes[0]
    days = get_policy().support.closed_ticket_closes_after_days
    assert takes_customer_message(solved_ticket(), SOLVED_AT + timedelta(days=days - 1), get_policy())  # type: ignore[arg-type]
    assert not takes_customer_message(solved_ticket(), SOLVED_AT + timedelta(days=days), get_policy())  # type: ignore[arg-type]
