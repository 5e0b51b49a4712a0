"""The days a trial has left, as the subscription page shows them (issue 16 item 2)."""

from __future__ import annotations

from datetime import date


def trial_days_left(trial_ends_on: date | None, today: date) -> int | None:
    """Days left including today (the last trial day counts as 1); None without a trial, 0 once over."""
    if trial_ends_on is None:
        return None
    return max((trial_ends_on - today).days + 1, 0)
