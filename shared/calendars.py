"""The policy's calendars, built once per process (holiday lookups are cached inside)."""

from __future__ import annotations

from functools import cache

from shared.policy import get_policy
from shared.rules.calendar import WorkingCalendar


@cache
def company_calendar() -> WorkingCalendar:
    """Working days for the cancellation notice: the company's own holiday calendar."""
    cancellation = get_policy().cancellation
    return WorkingCalendar(cancellation.holiday_country, cancellation.holiday_subdivision)
