"""The response clock's writes: what resuming after a wait stores (the times are decided by the services)."""

from __future__ import annotations

from typing import Any

from shared.rules.support.clock import ResumedClock
from shared.storage.models import Ticket


def resume_actions(ticket: Ticket, clock: ResumedClock) -> list[Any]:
    """Leaving "waiting for customer": the clock's update actions only; the caller sets the new state."""
    actions: list[Any] = [Ticket.waiting_since.remove()]
    if clock.paused_hours is not None:
        actions.append(Ticket.paused_hours.set(str(clock.paused_hours)))
    if clock.first_response_due is not None:
        ticket.first_response_due = clock.first_response_due  # the caller's queue and schedule updates use it
        actions.append(Ticket.first_response_due.set(clock.first_response_due))
    return actions
