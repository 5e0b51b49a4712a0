"""Merging two tickets of one account (issue 15 item 2): decided by the rules, written in one transaction.

The merged ticket's messages are copied into the target's thread; it closes pointing to the target.
A `MergeStore` (storage by default, an in-memory fake in the unit tests) reads and writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.rules.support.merge import MergeFacts, MergeRefusal, merge_note, merge_refusal


class MergeRefused(Exception):
    def __init__(self, refusal: MergeRefusal, status: int = 409) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal
        self.status = status


class MergeStore(Protocol):
    def find_ticket(self, number: str) -> Any: ...
    def save_merge(self, merged: Any, target: Any, agent: Any, note: str, now: datetime) -> int: ...


class StoredMerges:
    def find_ticket(self, number: str) -> Any:
        from shared.storage.tickets import find_ticket

        return find_ticket(number)

    def save_merge(self, merged: Any, target: Any, agent: Any, note: str, now: datetime) -> int:
        from shared.storage import ticket_merge

        try:
            return ticket_merge.save_merge(merged, target, agent, note, now)
        except ticket_merge.MergeConflict as exc:
            refusal = MergeRefusal("into", "ticket_changed", "One of the tickets changed meanwhile; reload.")
            raise MergeRefused(refusal) from exc
        except ticket_merge.ThreadTooLong as exc:
            refusal = MergeRefusal("number", "thread_too_long", "The ticket's thread is too long to merge.")
            raise MergeRefused(refusal) from exc


def _facts(ticket: Any) -> MergeFacts:
    return MergeFacts(number=ticket.number, account_id=ticket.account_id, state=ticket.state)


def merge_tickets(
    merged_number: str, into: str, agent: Any, now: datetime, store: MergeStore | None = None
) -> tuple[Any, int]:
    """Merge ticket `merged_number` into `into`: (the target, how many messages moved); MergeRefused if not."""
    store = store or StoredMerges()
    merged = store.find_ticket(merged_number)
    target = store.find_ticket(into) if into != merged_number else merged
    if merged is None:
        raise MergeRefused(MergeRefusal("number", "not_found", "No such ticket."), status=404)
    if target is None:
        raise MergeRefused(MergeRefusal("into", "not_found", "No ticket with this number."), status=400)
    refusal = merge_refusal(_facts(merged), _facts(target))
    if refusal is not None:
        raise MergeRefused(refusal, status=400 if refusal.code == "same_ticket" else 409)
    copied = store.save_merge(merged, target, agent, merge_note(merged.number, target.number), now)
    return target, copied
