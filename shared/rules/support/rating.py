"""The customer's satisfaction rating of a solved ticket (issue 16 item 3): good or bad, once.

Rated only after our answer solved it (solved, or closed after being solved), and only once: the
first rating decides, so a reused link or a second click changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

Rating = Literal["good", "bad"]
RATEABLE_STATES = ("solved", "closed")


def may_rate(state: str, solved_at: datetime | None, rated_at: datetime | None) -> bool:
    return state in RATEABLE_STATES and solved_at is not None and rated_at is None

VERDICTS: tuple[Rating, ...] = ("good", "bad")


def rating_link_expiry(solved_at: datetime, valid_days: int) -> datetime:
    """The solved mail's rating links work for the policy's `support.rating_link_days` after solving."""
    return solved_at + timedelta(days=valid_days)
