"""The days of an account's life: first paid day, the moment a last day ends, the day of deletion."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ONE_DAY = timedelta(days=1)


def moment_after(last_day: date, zone: ZoneInfo) -> datetime:
    """A period that ends with `last_day` ends at midnight after it, in the company's zone."""
    return datetime.combine(last_day + _ONE_DAY, time(0), tzinfo=zone)


def first_paid_day(trial_last_day: date | None, converted_on: date) -> date:
    """First paid day (SPEC §2): converting during the trial keeps the free days, so paid service
    starts the day after the trial's last day; a conversion after the trial (staff reactivation)
    starts paid service on the day of conversion."""
    if trial_last_day is not None and converted_on <= trial_last_day:
        return trial_last_day + _ONE_DAY
    return converted_on


def deletion_day(deactivated_on: date, retention_days: int) -> date:
    """A deactivated account's data is deleted this many days after the day of deactivation."""
    return deactivated_on + timedelta(days=retention_days)


def deletion_warning_moment(deletion_at: datetime, warning_days_before: int) -> datetime:
    return deletion_at - timedelta(days=warning_days_before)
