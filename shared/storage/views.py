"""Read models: what the API shows of an account (SPEC §9 field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.storage.keys.accounts import USER_PREFIX
from shared.storage.models import Account, User, account_pk


def current_edition(account: Account, now: datetime | None) -> str | None:
    """A downgrade waits for the 1st of the next month; from then on it is the edition."""
    if account.pending_edition and account.pending_edition_from and now and account.pending_edition_from <= now:
        return account.pending_edition
    return account.edition


def account_view(account: Account, now: datetime | None = None) -> dict[str, Any]:
    users = [
        item
        for item in User.query(account_pk(account.account_id), User.sk.startswith(USER_PREFIX))
        if isinstance(item, User)
    ]
    cancellation = None
    if account.cancellation is not None:
        cancellation = {
            "received_on": account.cancellation.received_on,
            "effective_on": account.cancellation.effective_on,
            "channel": account.cancellation.channel,
        }
    return {
        "id": account.account_id,
        "state": account.state,
        "company_name": account.company_name,
        "organization_type": account.organization_type,
        "country": account.country,
        "vat_id": account.vat_id,
        "language": account.language,
        "edition": current_edition(account, now),
        "trial_ends_on": account.trial_ends_on,
        "paid_from": account.paid_from,
        "cancellation": cancellation,
        "users": [
            {"id": user.user_id, "email": user.email, "name": user.name, "role": user.role, "active": user.active}
            for user in users
        ],
    }


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
