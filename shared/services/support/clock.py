"""The response clock from the typed policy: first-response targets, status updates, and resuming after a wait.

Times are computed here (services) and handed to storage, which only writes them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from shared.rules.support.clock import ResumedClock

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import Ticket


def first_response_due(
    received_at: datetime, priority: str, region: str, policy: Policy, paused_hours: Decimal = Decimal(0)
) -> datetime:
    from shared.derived import support_calendar
    from shared.rules.support_hours import first_response_due as due

    targets = {str(priority_name): hours for priority_name, hours in policy.support.first_response_hours.items()}
    return due(received_at, priority, support_calendar(region), targets, paused_hours=paused_hours)


def next_status_update(region: str, last_update: datetime, policy: Policy) -> datetime:
    """Customers hear from us at least every N working days (the region's full support days) while open."""
    from shared.derived import support_calendar
    from shared.rules.support_hours import add_support_hours

    hours = policy.support.status_update_every_working_days * policy.support.hours_per_working_day
    return add_support_hours(last_update, hours, support_calendar(region))


def resumed_clock(ticket: Ticket, now: datetime, policy: Policy) -> ResumedClock:
    """Leaving "waiting for customer": the waited support hours extend the first-response target."""
    from shared.derived import support_calendar
    from shared.rules.support_hours import support_hours_between

    if ticket.waiting_since is None:
        return ResumedClock()
    waited = support_hours_between(ticket.waiting_since, now, support_calendar(ticket.region))
    paused = Decimal(ticket.paused_hours or "0") + waited
    if ticket.first_response_at is not None:
        return ResumedClock(paused_hours=paused)
    due = first_response_due(ticket.received_at, ticket.priority, ticket.region, policy, paused)
    return ResumedClock(paused_hours=paused, first_response_due=due)
