"""The response clock's outcome when a ticket stops waiting for the customer (SPEC §6), as a plain value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class ResumedClock:
    """What leaving "waiting for customer" writes: the paused hours so far and, if unanswered, the new target.

    `paused_hours` is None when the ticket was not waiting (nothing to add); `first_response_due`
    is None when the first response was already given (its target no longer moves).
    """

    paused_hours: Decimal | None = None
    first_response_due: datetime | None = None
