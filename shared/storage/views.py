"""Read models: what the API shows of a ticket (the account's shape is built in shared/api/account_view)."""

from __future__ import annotations

from typing import Any

# The message kinds a customer may see: their own requests and our public replies. Anything else
# (internal notes, and any kind added later) is staff-only until it is named here: fail closed.
CUSTOMER_MESSAGE_KINDS = frozenset({"request", "reply"})


def ticket_view(ticket: Any, messages: list[Any], *, include_notes: bool = False) -> dict[str, Any]:
    """A ticket as the customer (or, with notes, staff) sees it; moments in the region's zone."""
    from shared.derived import support_calendar

    zone = support_calendar(ticket.region).zone
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "state": ticket.state,
        "priority": ticket.priority,
        "region": ticket.region,
        "received_at": ticket.received_at.astimezone(zone).isoformat(),
        "first_response_due": ticket.first_response_due.astimezone(zone).isoformat(),
        "messages": [
            {
                "kind": message.kind,
                "author": message.author,
                "text": message.text,
                "created_at": message.created_at.astimezone(zone).isoformat(),
                "attachments": [{k: v for k, v in a.items() if k != "key"} for a in (message.attachments or [])],
            }
            for message in messages
            if include_notes or message.kind in CUSTOMER_MESSAGE_KINDS
        ],
    }
