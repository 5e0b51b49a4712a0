"""The SLA watch's use cases: a due watch either acts (escalate, status update, close) or has gone stale.

Each returns what it did, or None when the watch's reason went away (the caller drops it).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.rules.support.states import OPEN_STATES

if TYPE_CHECKING:
    from shared.storage.models import Account, ScheduledAction, Ticket


def _ticket(action: ScheduledAction) -> Ticket | None:
    from shared.storage.support import ticket_of_watch

    return ticket_of_watch(action)


def first_response(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    from shared.policy import get_policy
    from shared.storage import support

    ticket = _ticket(action)
    if account is None or ticket is None or ticket.first_response_at is not None or ticket.state not in OPEN_STATES:
        return None
    from shared.rules.support.ticket_mails import escalation_mail
    from shared.services.support.mails import ordered_mail

    policy = get_policy()
    order = escalation_mail(ticket.number, policy.support.support_lead_email, ticket.priority, ticket.account_id)
    support.escalate(action, ticket, ordered_mail(ticket, account, order, now, policy), now)
    return "escalated"


def status_update(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    from shared.policy import get_policy
    from shared.storage import support

    ticket = _ticket(action)
    if account is None or ticket is None or ticket.state not in OPEN_STATES:
        return None
    from shared.rules.support.ticket_mails import status_update_mail
    from shared.services.support.clock import next_status_update
    from shared.services.support.mails import ordered_mail

    policy = get_policy()
    order = status_update_mail(ticket.number, ticket.state, ticket.development_ticket, now)
    mail = ordered_mail(ticket, account, order, now, policy)
    support.status_update(action, ticket, next_status_update(ticket.region, now, policy), mail, now)
    return "status updates sent"


def close(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    from shared.storage import support

    ticket = _ticket(action)
    if ticket is None or ticket.state != "solved":
        return None
    support.auto_close(action, ticket, now)
    return "closed"
