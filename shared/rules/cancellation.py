"""When a customer's cancellation takes effect (spec §5).

A cancellation takes effect at the end of the month if at least N working days of
the company calendar lie after the day of receipt up to and including the month's
last day; otherwise at the end of the following month. The day of receipt may be a
weekend or a holiday: a letter or e-mail is received when it arrives.
Pure code: the day of receipt is always a parameter, never the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.rules.calendar import WorkingCalendar, YearOutOfRange, last_day_of_month

__all__ = [
    "MonthDeadline",
    "YearOutOfRange",
    "cancellation_deadlines",
    "cancellation_effective_date",
    "last_day_of_receipt",
]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class MonthDeadline:
    """For the public deadline endpoint: receive by this day to end with this month."""

    month: str  # "YYYY-MM"
    last_day_of_receipt: date


def cancellation_effective_date(received_on: date, calendar: WorkingCalendar, notice_working_days: int = 10) -> date:
    """The last day of the contract for a cancellation received on `received_on`."""
    _check_notice(notice_working_days)
    month_end = last_day_of_month(received_on)
    if calendar.working_days_between(received_on, month_end) >= notice_working_days:
        return month_end
    return last_day_of_month(month_end + _ONE_DAY)


def last_day_of_receipt(year: int, month: int, calendar: WorkingCalendar, notice_working_days: int = 10) -> date:
    """The last day a cancellation may arrive and still end the contract with this month.

    Defined by cancellation_effective_date itself (walking back from the month's end),
    so the deadline we publish can never disagree with the rule we apply. If the
    notice is longer than the month has working days, no day of the month itself
    qualifies and the answer is the last day of the previous month.
    """
    _check_notice(notice_working_days)
    month_end = last_day_of_month(date(year, month, 1))
    d = month_end
    while cancellation_effective_date(d, calendar, notice_working_days) != month_end:
        d -= _ONE_DAY  # ends at the latest on the previous month's last day
    return d


def cancellation_deadlines(year: int, calendar: WorkingCalendar, notice_working_days: int = 10) -> list[MonthDeadline]:
    """The twelve deadlines of a year; YearOutOfRange if the holiday library lacks the year."""
    if year not in calendar.supported_years:
        raise YearOutOfRange(year, calendar.supported_years, calendar.name)
    return [
        MonthDeadline(
            month=f"{year:04d}-{month:02d}",
            last_day_of_receipt=last_day_of_receipt(year, month, calendar, notice_working_days),
        )
        for month in range(1, 13)
    ]


def _check_notice(notice_working_days: int) -> None:
    if notice_working_days < 0:
        raise ValueError(f"notice_working_days must be 0 or more, got {notice_working_days}")
