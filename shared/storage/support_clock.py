"""The response clock: the first-response due time, and its pause while a ticket waits for the customer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.policy import Policy
from shared.storage.models import Ticket


def first_response_due(
    received_at: datetime, priority: str, region: str, policy: Policy, paused_hours: Decimal = Decimal(0)
) -> datetime:
    from shared.derived import support_calendar
    from shared.rules.support_hours import first_response_due as due

    targets = {str(priority_name): hours for priority_name, hours in policy.support.first_response_hours.items()}
    return due(received_at, priority, support_calendar(region), targets, paused_hours=paused_hours)


def resume_actions(ticket: Ticket, now: datetime) -> list[Any]:
    """Leaving "waiting for customer": the waited support hours extend the first-response target.

    Returns the clock's update actions only; the caller sets the new state.
    """
    from shared.derived import support_calendar
    from shared.policy import get_policy
    from shared.rules.support_hours import support_hours_between

    actions: list[Any] = [Ticket.waiting_since.remove()]
    if ticket.waiting_since is None:
        return actions
    waited = support_hours_between(ticket.waiting_since, now, support_calendar(ticket.region))
    paused = Decimal(ticket.paused_hours or "0") + waited
    actions.append(Ticket.paused_hours.set(str(paused)))
    if ticket.first_response_at is None:
        due = first_response_due(ticket.received_at, ticket.priority, ticket.region, get_policy(), paused)
        ticket.first_response_due = due  # the caller's queue and schedule updates use the new due time
        actions.append(Ticket.first_response_due.set(due))
    return actions
