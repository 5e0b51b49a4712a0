"""A customer writing to a solved ticket (SPEC §6): within its days it reopens, after them it is closed.

"Still broken" to a solved ticket is the same problem, not a new one: for as long as the solved
ticket has not closed by itself (the policy's days), the customer's message reopens it — by mail,
the API or the account pages alike. A closed ticket stays closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from shared.rules.support.states import OPEN_STATES

SOLVED = "solved"


class CustomerWrite(Enum):
    ADDS = "adds"  # an open ticket takes the message
    REOPENS = "reopens"  # a solved ticket within its days: back to in progress, with the message
    REFUSED = "refused"  # closed (or solved too long ago): a new request is needed


def customer_write(state: str, solved_at: datetime | None, now: datetime, reopen_days: int) -> CustomerWrite:
    """What a customer's message does to a ticket in `state`, solved at `solved_at`."""
    if state in OPEN_STATES:
        return CustomerWrite.ADDS
    if state == SOLVED and solved_at is not None and now < solved_at + timedelta(days=reopen_days):
        return CustomerWrite.REOPENS
    return CustomerWrite.REFUSED


def reopen_deadline(solved_at: datetime | None, reopen_days: int) -> datetime | None:
    """Until when a solved ticket can be reopened (shown on the ticket's page)."""
    return None if solved_at is None else solved_at + timedelta(days=reopen_days)
