"""Merging two tickets of one account (issue 15 item 2): which merges are refused, and why.

The merged ticket's messages are copied into the other's thread and it closes with a pointer to it; a merge across
accounts would show one customer another's messages, so it is refused, as is a merge into a closed ticket.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MergeFacts:
    number: str
    account_id: str
    state: str


@dataclass(frozen=True)
class MergeRefusal:
    field: str  # "into" (the target) or "number" (the ticket merged)
    code: str
    message: str


def merge_refusal(merged: MergeFacts, target: MergeFacts) -> MergeRefusal | None:
    if merged.number == target.number:
        return MergeRefusal("into", "same_ticket", "A ticket cannot be merged into itself.")
    if merged.account_id != target.account_id:
        return MergeRefusal("into", "other_account", "Only tickets of the same account can be merged.")
    if target.state == "closed":
        return MergeRefusal("into", "target_closed", "The ticket to merge into is closed.")
    if merged.state == "closed":
        return MergeRefusal("number", "ticket_closed", "A closed ticket cannot be merged.")
    return None


def merge_note(merged_number: str, target_number: str) -> str:
    """The internal note on the target: whose messages came in."""
    return f"Ticket {merged_number} was merged into {target_number}: its messages are in this thread now."
