"""What opening a ticket decides (SPEC §6), as plain values: its number, region, priority, targets and mails.

The service fills an `Opening` from the policy and the clock; storage writes it as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TicketMailOrder:
    """A mail about a ticket: the template, its idempotent mail id, the recipient (None: the requester), extras."""

    template: str
    mail_id: str
    recipient: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Opening:
    """A new ticket's decided values: storage builds the ticket, its first message and watches from them."""

    number: str
    region: str
    priority: str
    first_response_due: datetime
    status_update_due: datetime
    missing: tuple[str, ...]
    mails: tuple[TicketMailOrder, ...]


def opening_mails(
    number: str,
    missing: tuple[str, ...],
    vague_subject: bool,
    oversized: tuple[tuple[str, int], ...],
    max_attachment_bytes: int,
) -> tuple[TicketMailOrder, ...]:
    """The acknowledgement (asking for what is missing), and a note on attachments too large to keep."""
    mails = [
        TicketMailOrder(
            "ticket_acknowledgement",
            f"ticket-ack-{number}",
            extra={"missing": list(missing), "vague_subject": vague_subject},
        )
    ]
    if oversized:
        mails.append(
            TicketMailOrder(
                "attachment_too_large",
                f"ticket-too-large-{number}",
                extra={
                    "oversized": [{"filename": name, "size": size} for name, size in oversized],
                    "limit_mb": max_attachment_bytes // (1024 * 1024),
                },
            )
        )
    return tuple(mails)


def reply_mail(number: str, message_id: str, agent_name: str, text: str) -> TicketMailOrder:
    """A public answer goes to the requester with the tag; one mail per message (its id makes it idempotent)."""
    return TicketMailOrder(
        "ticket_reply", f"ticket-reply-{number}-{message_id}", extra={"agent_name": agent_name, "text": text}
    )
