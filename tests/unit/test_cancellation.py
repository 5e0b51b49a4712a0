"""Cancellation notice (spec §5): hand-checked months, an independent count over
2025–2028, and properties that must hold for any day and any notice length."""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.rules.calendar import WorkingCalendar, last_day_of_month
from shared.rules.cancellation import (
    MonthDeadline,
    YearOutOfRange,
    cancellation_deadlines,
    cancellation_effective_date,
    last_day_of_receipt,
)

BW = WorkingCalendar("DE", "BW")  # company calendar (policy [cancellation])
ONE_DAY = timedelta(days=1)
FIRST_DAY = date(BW.supported_years.start, 1, 1)
LAST_DAY = date(BW.supported_years.stop - 1, 12, 31)


# --- Hand-checked (DE/BW, notice 10 working days) ---------------------------------
# How we counted: list the working days from the month's last day backwards, skipping
# Saturdays, Sundays and BW holidays, until the 10th (w10). Receipt on any day before
# w10 leaves w10..end = 10 working days after it, so the last day of receipt is w10 - 1.
#
# Nov 2026 (30th = Monday; All Saints 1 Nov is a Sunday, nothing else in BW):
#   30 | 27 26 25 24 23 | 20 19 18 17  -> w10 = Tue 17 Nov, deadline Mon 16 Nov.
# Dec 2026 (31st = Thursday; 25 Dec Friday and 26 Dec Saturday are holidays;
#   24 and 31 Dec are ordinary working days in BW):
#   31 30 29 28 | (25) 24 23 22 21 | 18 17  -> w10 = Thu 17 Dec, deadline Wed 16 Dec.
# Apr 2025 (Easter 20 Apr: Good Friday 18, Easter Monday 21; 30th = Wednesday):
#   30 29 28 | 25 24 23 22 (21) | (18) 17 16 15  -> w10 = Tue 15 Apr, deadline Mon 14 Apr.
# May 2027 (Whit Monday 17, Corpus Christi Thu 27 May; 31st = Monday):
#   31 | 28 (27) 26 25 24 | 21 20 19 18 (17) | 14  -> w10 = Fri 14 May, deadline Thu 13 May.
# Jun 2025 (Corpus Christi Thu 19 Jun; 30th = Monday):
#   30 | 27 26 25 24 23 | 20 (19) 18 17 16  -> w10 = Mon 16 Jun, deadline SUNDAY 15 Jun:
#   a letter that arrives on a Sunday is received that day and still counts.
HAND_CHECKED_DEADLINES = [
    (2026, 11, date(2026, 11, 16)),
    (2026, 12, date(2026, 12, 16)),
    (2025, 4, date(2025, 4, 14)),
    (2027, 5, date(2027, 5, 13)),
    (2025, 6, date(2025, 6, 15)),
]


def test_november_2026_from_the_spec() -> None:
    assert cancellation_effective_date(date(2026, 11, 16), BW) == date(2026, 11, 30)
    assert cancellation_effective_date(date(2026, 11, 17), BW) == date(2026, 12, 31)


@pytest.mark.parametrize(("year", "month", "deadline"), HAND_CHECKED_DEADLINES)
def test_hand_checked_deadlines(year: int, month: int, deadline: date) -> None:
    month_end = last_day_of_month(date(year, month, 1))
    next_month_end = last_day_of_month(month_end + ONE_DAY)
    assert last_day_of_receipt(year, month, BW, 10) == deadline
    assert cancellation_effective_date(deadline, BW) == month_end
    assert cancellation_effective_date(deadline + ONE_DAY, BW) == next_month_end


def test_receipt_on_a_holiday_counts_as_that_day() -> None:
    # Christmas Day 2026: after it 28, 29, 30, 31 Dec are 4 working days -> January.
    assert cancellation_effective_date(date(2026, 12, 25), BW) == date(2027, 1, 31)
    # Sunday 15 Jun 2025 is the last day of receipt for June (see above).
    assert cancellation_effective_date(date(2025, 6, 15), BW) == date(2025, 6, 30)


def test_no_notice_ends_with_the_current_month() -> None:
    # Add-on apps use notice 0: even the month's last day ends with that month.
    assert cancellation_effective_date(date(2026, 12, 31), BW, 0) == date(2026, 12, 31)
    assert last_day_of_receipt(2026, 12, BW, 0) == date(2026, 12, 31)


def test_notice_longer_than_the_month_means_receipt_in_the_month_before() -> None:
    # Dec 2026 has 21 working days in BW; with 25 days' notice nothing received in
    # December can end it with December, but a letter of 30 November does.
    assert last_day_of_receipt(2026, 12, BW, 25) == date(2026, 11, 30)
    assert cancellation_effective_date(date(2026, 11, 30), BW, 25) == date(2026, 12, 31)


def test_negative_notice_is_refused() -> None:
    with pytest.raises(ValueError, match="notice_working_days"):
        cancellation_effective_date(date(2026, 11, 16), BW, -1)


# --- Independent check against the library's raw data, 2025–2028 -------------------
YEARS = range(2025, 2029)
RAW_BW_HOLIDAYS = set(holidays.country_holidays("DE", subdiv="BW", years=YEARS))


def independent_effective_date(received: date, notice: int) -> date:
    """Plain loop over the raw holiday list; shares no code with WorkingCalendar."""
    days_in_month = stdlib_calendar.monthrange(received.year, received.month)[1]
    month_end = date(received.year, received.month, days_in_month)
    working = 0
    for day in range(received.day + 1, days_in_month + 1):
        d = date(received.year, received.month, day)
        if d.weekday() < 5 and d not in RAW_BW_HOLIDAYS:
            working += 1
    if working >= notice:
        return month_end
    next_year, next_month = (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    return date(next_year, next_month, stdlib_calendar.monthrange(next_year, next_month)[1])


def all_days(years: range) -> list[date]:
    first, last = date(years.start, 1, 1), date(years.stop - 1, 12, 31)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_every_day_2025_to_2028_matches_the_independent_count() -> None:
    mismatches = [
        (d, cancellation_effective_date(d, BW, 10), independent_effective_date(d, 10))
        for d in all_days(YEARS)
        if cancellation_effective_date(d, BW, 10) != independent_effective_date(d, 10)
    ]
    assert mismatches == []


def test_deadlines_2025_to_2028_match_the_independent_count() -> None:
    for year in YEARS:
        deadlines = cancellation_deadlines(year, BW, 10)
        assert [m.month for m in deadlines] == [f"{year}-{month:02d}" for month in range(1, 13)]
        for month, deadline in zip(range(1, 13), deadlines, strict=True):
            month_end = date(year, month, stdlib_calendar.monthrange(year, month)[1])
            in_month = [date(year, month, day) for day in range(1, month_end.day + 1)]
            expected = max(d for d in in_month if independent_effective_date(d, 10) == month_end)
            assert deadline == MonthDeadline(f"{year}-{month:02d}", expected)


# --- Year range ------------------------------------------------------------------------
def test_supported_years_come_from_the_library() -> None:
    entity = holidays.country_holidays("DE", subdiv="BW")
    assert BW.supported_years == range(entity.start_year, entity.end_year + 1)


@pytest.mark.parametrize("year", [BW.supported_years.start - 1, BW.supported_years.stop])
def test_deadlines_outside_the_library_range_are_refused(year: int) -> None:
    with pytest.raises(YearOutOfRange) as raised:
        cancellation_deadlines(year, BW)
    message = str(raised.value)
    assert str(year) in message
    assert str(BW.supported_years.start) in message
    assert str(BW.supported_years.stop - 1) in message
    assert isinstance(raised.value, ValueError)


def test_working_day_outside_the_library_range_is_refused() -> None:
    # The library itself silently returns no holidays there; we must not count
    # Christmas as a working day.
    with pytest.raises(YearOutOfRange):
        BW.is_working_day(date(BW.supported_years.start - 1, 12, 25))


def test_unknown_calendar_fails_at_construction() -> None:
    with pytest.raises(ValueError, match="XX"):
        WorkingCalendar("DE", "XX")
    with pytest.raises(ValueError, match="bogus"):
        WorkingCalendar("DE", "BY", ("public", "bogus"))


# --- Support calendar: why the policy names the "catholic" category -------------------
def test_assumption_day_is_a_munich_holiday_only_with_the_catholic_category() -> None:
    munich = WorkingCalendar("DE", "BY", ("public", "catholic"))
    bavaria_public = WorkingCalendar("DE", "BY")
    assumption_day = date(2025, 8, 15)  # a Friday
    assert not munich.is_working_day(assumption_day)
    assert bavaria_public.is_working_day(assumption_day)
    # A policy file hands over a list; the calendar still hashes and compares.
    assert WorkingCalendar("DE", "BY", ["public", "catholic"]) == munich  # type: ignore[arg-type]


# --- Properties --------------------------------------------------------------------------
any_day = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
any_notice = st.integers(min_value=0, max_value=25)


@given(received=any_day, notice=any_notice)
def test_effective_date_is_end_of_received_or_next_month(received: date, notice: int) -> None:
    effective = cancellation_effective_date(received, BW, notice)
    assert (effective + ONE_DAY).day == 1
    this_month_end = last_day_of_month(received)
    assert effective in (this_month_end, last_day_of_month(this_month_end + ONE_DAY))


@given(first=any_day, second=any_day, notice=any_notice)
def test_receiving_later_never_ends_earlier(first: date, second: date, notice: int) -> None:
    earlier, later = sorted((first, second))
    assert cancellation_effective_date(earlier, BW, notice) <= cancellation_effective_date(later, BW, notice)


@given(
    year=st.integers(min_value=FIRST_DAY.year, max_value=LAST_DAY.year),
    month=st.integers(min_value=1, max_value=12),
    notice=any_notice,
)
def test_last_day_of_receipt_agrees_with_the_rule(year: int, month: int, notice: int) -> None:
    month_end = last_day_of_month(date(year, month, 1))
    deadline = last_day_of_receipt(year, month, BW, notice)
    assert cancellation_effective_date(deadline, BW, notice) == month_end
    assert cancellation_effective_date(deadline + ONE_DAY, BW, notice) == last_day_of_month(month_end + ONE_DAY)
