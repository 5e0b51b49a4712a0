"""The merge service with an in-memory store: what it refuses (and writes nothing), what it writes once."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from shared.services.support.merge import MergeRefused, merge_tickets

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class FakeMerges:
    def __init__(self, *tickets: Any) -> None:
        self.tickets = {t.number: t for t in tickets}
        self.saved: list[tuple[str, str, str]] = []

    def find_ticket(self, number: str) -> Any:
        return self.tickets.get(number)

    def save_merge(self, merged: Any, target: Any, agent: Any, note: str, now: datetime) -> int:
        self.saved.append((merged.number, target.number, note))
        return 2


def _ticket(number: str, account: str = "acc_1", state: str = "new") -> Any:
    return SimpleNamespace(number=number, account_id=account, state=state)


AGENT = SimpleNamespace(name="Alex Agent")


def test_two_tickets_of_one_account_merge_with_a_note_naming_both():
    store = FakeMerges(_ticket("2026112310001"), _ticket("2026112310002", state="in_progress"))
    target, copied = merge_tickets("2026112310001", "2026112310002", AGENT, NOW, store)
    assert target.number == "2026112310002" and copied == 2
    ((merged, into, note),) = store.saved
    assert (merged, into) == ("2026112310001", "2026112310002") and "2026112310001" in note


@pytest.mark.parametrize(
    ("merged", "target", "field", "code", "status"),
    [
        (_ticket("1000000001"), _ticket("1000000002", account="acc_2"), "into", "other_account", 409),
        (_ticket("1000000001"), _ticket("1000000002", state="closed"), "into", "target_closed", 409),
        (_ticket("1000000001", state="closed"), _ticket("1000000002"), "number", "ticket_closed", 409),
    ],
)
def test_refused_merges_write_nothing(merged, target, field, code, status):
    store = FakeMerges(merged, target)
    with pytest.raises(MergeRefused) as refused:
        merge_tickets(merged.number, target.number, AGENT, NOW, store)
    assert (refused.value.refusal.field, refused.value.refusal.code, refused.value.status) == (field, code, status)
    assert store.saved == []


def test_a_ticket_into_itself_or_into_nothing_is_refused():
    store = FakeMerges(_ticket("1000000001"))
    with pytest.raises(MergeRefused) as itself:
        merge_tickets("1000000001", "1000000001", AGENT, NOW, store)
    assert itself.value.refusal.code == "same_ticket" and itself.value.status == 400
    with pytest.raises(MergeRefused) as nothing:
        merge_tickets("1000000001", "1000000009", AGENT, NOW, store)
    assert nothing.value.refusal.field == "into" and store.saved == []
