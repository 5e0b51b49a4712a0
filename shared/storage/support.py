"""The support process on stored tickets: the clock that pauses while we wait for the customer."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.rules.clock import utc_iso
from shared.storage.models import Ticket


def resume_actions(ticket: Ticket, now: datetime) -> list[Any]:
    """Leaving "waiting for customer": add the waited support hours to the pause, move the due time on."""
    from shared.derived import support_calendar
    from shared.policy import get_policy
    from shared.rules.support_hours import support_hours_between
    from shared.storage.tickets import first_response_due

    actions: list[Any] = [Ticket.state.set("in_progress"), Ticket.waiting_since.remove()]
    if ticket.waiting_since is None:
        return actions
    waited = support_hours_between(ticket.waiting_since, now, support_calendar(ticket.region))
    paused = Decimal(ticket.paused_hours or "0") + waited
    actions.append(Ticket.paused_hours.set(str(paused)))
    if ticket.first_response_at is None:
        due = first_response_due(ticket.received_at, ticket.priority, ticket.region, get_policy(), paused)
        actions += [Ticket.first_response_due.set(due), Ticket.due_job.set("sla"), Ticket.due_at.set(utc_iso(due))]
    return actions
