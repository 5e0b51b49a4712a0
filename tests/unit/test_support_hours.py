"""Support-hours arithmetic: hand-counted first-response due times and properties that must always hold.

The hand-checked cases spell out the counting in comments so a reviewer can verify them with a
calendar. Holiday facts used below were checked against the `holidays` library (0.109) and are
asserted in their own tests, so a library change that moves a date shows up as a clear failure.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.rules.support_hours import (
    MUNICH_HOLIDAY_CATEGORIES,
    SupportCalendar,
    add_support_hours,
    first_response_due,
    is_support_working_day,
    is_within_support_hours,
    next_support_opening,
    support_hours_between,
    support_hours_paused,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

DACH = SupportCalendar(time_zone="Europe/Berlin", opens=time(10), closes=time(18))
USA = SupportCalendar(time_zone="America/New_York", opens=time(9), closes=time(17))
TARGETS = {"urgent": 4, "high": 8, "normal": 16, "low": 40}

POLICY_FILE = Path(__file__).resolve().parents[2] / "shared" / "policy.toml"


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A Berlin wall-clock moment (the DACH/EMEA region's zone)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def new_york(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A New York wall-clock moment (the USA region's zone)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=NEW_YORK)


@cache
def munich_holidays(year: int, categories: tuple[str, ...] = MUNICH_HOLIDAY_CATEGORIES) -> dict[date, str]:
    """Straight from the library, independent of the module under test's cache."""
    return dict(holidays.country_holidays("DE", subdiv="BY", years=year, categories=categories))


# --------------------------------------------------------------------------- the holiday facts we rely on


def test_assumption_day_needs_the_catholic_category() -> None:
    # Plain DE/BY "public" lacks 15 August (Bavaria keeps it only in Catholic-majority
    # municipalities); Munich's calendar needs ("public", "catholic").
    for year in (2026, 2027, 2028):
        assert date(year, 8, 15) not in munich_holidays(year, ("public",))
        assert date(year, 8, 15) in munich_holidays(year)


def test_christmas_eve_is_not_a_holiday_but_25_and_26_december_are() -> None:
    # 24 and 31 December are ordinary working days in Bavaria according to the library.
    days = munich_holidays(2026)
    assert date(2026, 12, 24) not in days
    assert date(2026, 12, 31) not in days
    assert date(2026, 12, 25) in days
    assert date(2026, 12, 26) in days


def test_library_dates_of_the_movable_feasts_in_2026() -> None:
    days = munich_holidays(2026)
    assert days[date(2026, 4, 3)] == "Good Friday"
    assert days[date(2026, 4, 6)] == "Easter Monday"
    assert days[date(2026, 5, 25)] == "Pentecost Monday"
    assert days[date(2026, 6, 4)] == "Corpus Christi"


def test_working_days_follow_weekends_and_munich_holidays() -> None:
    assert is_support_working_day(date(2026, 12, 24), DACH)  # Thursday, not a holiday
    assert not is_support_working_day(date(2026, 12, 25), DACH)  # Christmas Day (Friday)
    assert not is_support_working_day(date(2026, 1, 17), DACH)  # Saturday
    assert not is_support_working_day(date(2026, 6, 4), USA)  # Munich's Corpus Christi, New York date


# --------------------------------------------------------------------------- hand-checked due times


def test_urgent_on_friday_evening_is_due_monday_early_afternoon() -> None:
    # Fri 2026-01-16 17:30 Berlin: 17:30-18:00 = 0.5 h; Sat, Sun closed;
    # Mon 2026-01-19 10:00 + 3.5 h = 13:30.  Total 0.5 + 3.5 = 4 h.
    due = first_response_due(berlin(2026, 1, 16, 17, 30), "urgent", DACH, TARGETS)
    assert due == berlin(2026, 1, 19, 13, 30)


def test_urgent_on_friday_evening_before_whit_monday_is_due_tuesday() -> None:
    # Fri 2026-05-22 17:30: 0.5 h; Sat, Sun closed; Mon 25 May Pentecost Monday closed;
    # Tue 26 May 10:00 + 3.5 h = 13:30 CEST.
    due = first_response_due(berlin(2026, 5, 22, 17, 30), "urgent", DACH, TARGETS)
    assert due == berlin(2026, 5, 26, 13, 30)


def test_normal_ticket_over_christmas() -> None:
    # Wed 2026-12-23 12:00, normal = 16 h:
    #   Wed 23 Dec 12:00-18:00  6 h  (6)
    #   Thu 24 Dec 10:00-18:00  8 h  (14)  Christmas Eve is a working day
    #   Fri 25 Dec Christmas Day, Sat 26 Dec (also Second Day of Christmas), Sun 27 Dec: closed
    #   Mon 28 Dec 10:00 + 2 h        (16)  -> 12:00
    due = first_response_due(berlin(2026, 12, 23, 12, 0), "normal", DACH, TARGETS)
    assert due == berlin(2026, 12, 28, 12, 0)


def test_high_ticket_over_easter() -> None:
    # Thu 2026-04-02 17:00, high = 8 h:
    #   Thu 17:00-18:00 1 h; Fri 3 Apr Good Friday; Sat; Sun; Mon 6 Apr Easter Monday;
    #   Tue 7 Apr 10:00 + 7 h = 17:00 CEST.
    due = first_response_due(berlin(2026, 4, 2, 17, 0), "high", DACH, TARGETS)
    assert due == berlin(2026, 4, 7, 17, 0)


def test_usa_skips_munich_corpus_christi_on_its_own_date() -> None:
    # Wed 2026-06-03 15:00 New York, urgent = 4 h:
    #   Wed 15:00-17:00 2 h; Thu 4 Jun (New York date) is Munich's Corpus Christi: closed;
    #   Fri 5 Jun 09:00 + 2 h = 11:00 EDT.
    due = first_response_due(new_york(2026, 6, 3, 15, 0), "urgent", USA, TARGETS)
    assert due == new_york(2026, 6, 5, 11, 0)
    # Received during the New York day of 4 June (20:00 Berlin = 14:00 New York): clock starts Friday.
    assert next_support_opening(berlin(2026, 6, 4, 20, 0), USA) == new_york(2026, 6, 5, 9, 0)


def test_assumption_day_is_closed_in_both_regions() -> None:
    # 15 Aug 2028 is a Tuesday.  DACH: Mon 14 Aug 16:00-18:00 2 h; Tue closed; Wed 10:00 + 2 h = 12:00.
    dach_due = first_response_due(berlin(2028, 8, 14, 16, 0), "urgent", DACH, TARGETS)
    assert dach_due == berlin(2028, 8, 16, 12, 0)
    # USA: Mon 14 Aug 15:00-17:00 2 h; Tue (New York date) closed; Wed 09:00 + 2 h = 11:00.
    usa_due = first_response_due(new_york(2028, 8, 14, 15, 0), "urgent", USA, TARGETS)
    assert usa_due == new_york(2028, 8, 16, 11, 0)


def test_low_ticket_is_five_working_days() -> None:
    # Mon 2026-01-12 10:00 + 40 h = 5 x 8 h = Fri 2026-01-16 18:00 (the closing moment).
    assert first_response_due(berlin(2026, 1, 12, 10, 0), "low", DACH, TARGETS) == berlin(2026, 1, 16, 18, 0)


# --------------------------------------------------------------------------- daylight saving


def test_eu_spring_forward_weekend() -> None:
    # EU clocks go forward Sun 2026-03-29.  Fri 27 Mar 17:00 CET (UTC+1): 1 h;
    # Mon 30 Mar 10:00 CEST (UTC+2) + 3 h = 13:00 CEST = 11:00 UTC.
    due = first_response_due(berlin(2026, 3, 27, 17, 0), "urgent", DACH, TARGETS)
    assert due == berlin(2026, 3, 30, 13, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)
    # Fri 12:00 CET to Mon 12:00 CEST: 6 h + 2 h = 8 support hours, although only 71 real hours pass.
    assert support_hours_between(berlin(2026, 3, 27, 12), berlin(2026, 3, 30, 12), DACH) == 8


def test_eu_fall_back_weekend() -> None:
    # EU clocks go back Sun 2026-10-25.  Fri 23 Oct 16:00 CEST: 2 h;
    # Mon 26 Oct 10:00 CET + 6 h = 16:00 CET = 15:00 UTC.
    due = first_response_due(berlin(2026, 10, 23, 16, 0), "high", DACH, TARGETS)
    assert due == berlin(2026, 10, 26, 16, 0)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 15, 0, tzinfo=UTC)


def test_received_during_the_missing_hour_starts_monday() -> None:
    # 01:30 UTC on Sun 2026-03-29 is inside the skipped hour 02:00-03:00 Berlin; Sunday is closed anyway.
    received = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert next_support_opening(received, DACH) == berlin(2026, 3, 30, 10, 0)


def test_us_spring_forward_is_three_weeks_before_europe() -> None:
    # US clocks go forward Sun 2026-03-08.  Fri 6 Mar 16:00 EST: 1 h;
    # Mon 9 Mar 09:00 EDT + 3 h = 12:00 EDT = 16:00 UTC.
    due = first_response_due(new_york(2026, 3, 6, 16, 0), "urgent", USA, TARGETS)
    assert due == new_york(2026, 3, 9, 12, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    # Between 8 and 29 March New York is only 5 h behind Berlin: USA opens at 14:00 Berlin time.
    assert next_support_opening(berlin(2026, 3, 16, 12, 0), USA) == berlin(2026, 3, 16, 14, 0)
    # From 30 March it is 6 h again: 15:00 Berlin.
    assert next_support_opening(berlin(2026, 3, 30, 12, 0), USA) == berlin(2026, 3, 30, 15, 0)


def test_us_fall_back_weekend() -> None:
    # US clocks go back Sun 2026-11-01.  Fri 30 Oct 15:00 EDT: 2 h;
    # Mon 2 Nov 09:00 EST + 6 h = 15:00 EST = 20:00 UTC.
    due = first_response_due(new_york(2026, 10, 30, 15, 0), "high", USA, TARGETS)
    assert due == new_york(2026, 11, 2, 15, 0)
    assert due.astimezone(UTC) == datetime(2026, 11, 2, 20, 0, tzinfo=UTC)
    assert support_hours_between(new_york(2026, 10, 30, 15), new_york(2026, 11, 2, 15), USA) == 8


# --------------------------------------------------------------------------- boundaries and conventions


def test_ending_at_closing_time_returns_the_closing_moment() -> None:
    # 14:00 + 4 h = 18:00 the same day (the end of the interval), not 10:00 the next working day.
    assert add_support_hours(berlin(2026, 1, 14, 14, 0), 4, DACH) == berlin(2026, 1, 14, 18, 0)
    assert add_support_hours(berlin(2026, 1, 14, 10, 0), 8, DACH) == berlin(2026, 1, 14, 18, 0)


def test_zero_hours_gives_the_next_opening_or_the_moment_itself() -> None:
    assert add_support_hours(berlin(2026, 1, 14, 12, 0), 0, DACH) == berlin(2026, 1, 14, 12, 0)
    assert add_support_hours(berlin(2026, 1, 14, 10, 0), 0, DACH) == berlin(2026, 1, 14, 10, 0)
    assert add_support_hours(berlin(2026, 1, 14, 9, 59, 59), 0, DACH) == berlin(2026, 1, 14, 10, 0)
    # Exactly at closing is outside support hours for a start.
    assert add_support_hours(berlin(2026, 1, 14, 18, 0), 0, DACH) == berlin(2026, 1, 15, 10, 0)
    assert add_support_hours(berlin(2026, 1, 16, 18, 0), Decimal("0.5"), DACH) == berlin(2026, 1, 19, 10, 30)


def test_is_within_support_hours_is_half_open() -> None:
    assert is_within_support_hours(berlin(2026, 1, 14, 10, 0), DACH)
    assert is_within_support_hours(berlin(2026, 1, 14, 17, 59, 59), DACH)
    assert not is_within_support_hours(berlin(2026, 1, 14, 18, 0), DACH)
    assert not is_within_support_hours(berlin(2026, 1, 17, 12, 0), DACH)  # Saturday


def test_result_is_in_the_region_zone_whatever_the_input_zone() -> None:
    # The same instant given in UTC, Berlin or Tokyo yields the same due time, expressed in New York time.
    instant = new_york(2026, 2, 10, 16, 30)
    results = {add_support_hours(instant.astimezone(zone), 2, USA) for zone in (UTC, BERLIN, TOKYO, NEW_YORK)}
    assert results == {new_york(2026, 2, 11, 10, 30)}  # 16:30-17:00 0.5 h, Wed 09:00 + 1.5 h
    (due,) = results
    assert due.tzinfo is USA.zone


def test_fractional_hours_are_exact() -> None:
    assert add_support_hours(berlin(2026, 1, 14, 10), Decimal("0.1"), DACH) == berlin(2026, 1, 14, 10, 6)
    assert add_support_hours(berlin(2026, 1, 14, 10), 0.1, DACH) == berlin(2026, 1, 14, 10, 6)
    assert support_hours_between(berlin(2026, 1, 14, 10), berlin(2026, 1, 14, 10, 6), DACH) == Decimal("0.1")


def test_refuses_naive_datetimes_negative_hours_and_unknown_priorities() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_support_hours(datetime(2026, 1, 14, 12), 1, DACH)
    with pytest.raises(ValueError, match="negative"):
        add_support_hours(berlin(2026, 1, 14, 12), -1, DACH)
    with pytest.raises(ValueError, match="finite"):
        add_support_hours(berlin(2026, 1, 14, 12), float("nan"), DACH)
    with pytest.raises(ValueError, match="unknown priority 'critical'"):
        first_response_due(berlin(2026, 1, 14, 12), "critical", DACH, TARGETS)
    with pytest.raises(ValueError, match="before start"):
        support_hours_between(berlin(2026, 1, 14, 12), berlin(2026, 1, 14, 11), DACH)


def test_refuses_years_the_holiday_library_does_not_cover() -> None:
    # The library answers "no holidays" outside 1991-2100 for Germany; that would open on Christmas Day.
    with pytest.raises(ValueError, match="outside the support holiday calendar"):
        add_support_hours(berlin(2100, 12, 31, 17, 0), 4, DACH)
    with pytest.raises(ValueError, match="covers 1991-2100"):
        is_support_working_day(date(1990, 12, 25), DACH)


def test_calendar_refuses_impossible_hours() -> None:
    with pytest.raises(ValueError, match="open before it closes"):
        SupportCalendar(time_zone="Europe/Berlin", opens=time(18), closes=time(10))
    with pytest.raises(Exception, match="Mars"):
        SupportCalendar(time_zone="Mars/Olympus_Mons", opens=time(9), closes=time(17))


def test_equal_regions_are_equal_calendars() -> None:
    emea = SupportCalendar(time_zone="Europe/Berlin", opens=time(10), closes=time(18))
    assert emea == DACH
    assert hash(emea) == hash(DACH)
    assert DACH.hours_per_day == 8
    assert USA.hours_per_day == 8


# --------------------------------------------------------------------------- the paused clock


def test_waiting_for_the_customer_extends_the_due_time() -> None:
    # Normal ticket Mon 2026-01-12 10:00 -> due Tue 18:00 (16 h).
    received = berlin(2026, 1, 12, 10, 0)
    assert first_response_due(received, "normal", DACH, TARGETS) == berlin(2026, 1, 13, 18, 0)
    # Waiting Mon 16:00 -> Tue 11:30: 2 h Monday + 1.5 h Tuesday = 3.5 h paused;
    # 16 + 3.5 = 19.5 h from Mon 10:00 -> Mon 8, Tue 8, Wed 10:00 + 3.5 = 13:30.
    paused = support_hours_paused([(berlin(2026, 1, 12, 16), berlin(2026, 1, 13, 11, 30))], DACH)
    assert paused == Decimal("3.5")
    due = first_response_due(received, "normal", DACH, TARGETS, paused_hours=paused)
    assert due == berlin(2026, 1, 14, 13, 30)


def test_overlapping_pauses_count_once() -> None:
    pauses = [
        (berlin(2026, 1, 12, 11), berlin(2026, 1, 12, 13)),
        (berlin(2026, 1, 12, 12), berlin(2026, 1, 12, 14)),  # overlaps the first: 11-14 = 3 h
        (berlin(2026, 1, 12, 17), berlin(2026, 1, 13, 10, 30)),  # 1 h Mon + 0.5 h Tue
    ]
    assert support_hours_paused(pauses, DACH) == Decimal("4.5")
    assert support_hours_paused([], DACH) == 0


# --------------------------------------------------------------------------- the policy file


def _calendar_from_policy(region: str) -> SupportCalendar:
    support = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))["support"]
    hours = support["regions"][region]
    return SupportCalendar.for_region(
        SimpleNamespace(
            time_zone=hours["time_zone"],
            opens=time.fromisoformat(hours["opens"]),
            closes=time.fromisoformat(hours["closes"]),
        ),
        SimpleNamespace(
            holiday_country=support["holiday_country"],
            holiday_subdivision=support["holiday_subdivision"],
            holiday_categories=tuple(support["holiday_categories"]),
        ),
    )


def test_policy_file_gives_the_calendars_and_targets_used_here() -> None:
    support = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))["support"]
    assert support["first_response_hours"] == TARGETS
    assert _calendar_from_policy("DACH") == DACH
    assert _calendar_from_policy("EMEA") == DACH
    assert _calendar_from_policy("USA") == USA


def test_validated_policy_builds_the_same_calendars() -> None:
    pytest.importorskip("pydantic")
    from shared.policy import load_policy

    support = load_policy(POLICY_FILE).support
    assert SupportCalendar.for_region(support.regions["USA"], support) == USA
    assert SupportCalendar.for_region(support.regions["DACH"], support) == DACH


# --------------------------------------------------------------------------- properties

CALENDARS = st.sampled_from([DACH, USA])
STARTS = st.builds(
    lambda moment, zone: moment.astimezone(zone),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    st.sampled_from([UTC, BERLIN, NEW_YORK, TOKYO]),
)
HOURS = st.one_of(
    st.integers(min_value=0, max_value=200),
    st.decimals(min_value=0, max_value=200, places=6),
)


def _is_open_or_closing(moment: datetime, calendar: SupportCalendar) -> bool:
    """Independent check of the convention: a working local date and opens <= local time <= closes."""
    local = moment.astimezone(calendar.zone)
    if local.weekday() >= 5 or local.date() in munich_holidays(local.year):
        return False
    return calendar.opens <= local.time() <= calendar.closes


@given(calendar=CALENDARS, start=STARTS, hours=HOURS)
def test_result_never_lies_outside_support_hours(calendar: SupportCalendar, start: datetime, hours: Decimal) -> None:
    due = add_support_hours(start, hours, calendar)
    assert due.tzinfo is calendar.zone
    assert due.astimezone(UTC) >= start.astimezone(UTC)
    assert _is_open_or_closing(due, calendar)


@given(calendar=CALENDARS, first=STARTS, second=STARTS, hours=HOURS)
def test_later_start_is_never_due_earlier(
    calendar: SupportCalendar, first: datetime, second: datetime, hours: Decimal
) -> None:
    early, late = sorted((first, second), key=lambda moment: moment.astimezone(UTC))
    assert add_support_hours(early, hours, calendar).astimezone(UTC) <= add_support_hours(
        late, hours, calendar
    ).astimezone(UTC)


@given(calendar=CALENDARS, start=STARTS, first=HOURS, second=HOURS)
def test_more_hours_are_never_due_earlier(
    calendar: SupportCalendar, start: datetime, first: Decimal, second: Decimal
) -> None:
    fewer, more = sorted((Decimal(first), Decimal(second)))
    assert add_support_hours(start, fewer, calendar).astimezone(UTC) <= add_support_hours(
        start, more, calendar
    ).astimezone(UTC)


@given(calendar=CALENDARS, start=STARTS, hours=HOURS)
def test_hours_between_start_and_due_are_the_hours_added(
    calendar: SupportCalendar, start: datetime, hours: Decimal
) -> None:
    # Holds for every start: time before the first opening counts zero support hours.
    due = add_support_hours(start, hours, calendar)
    assert support_hours_between(start, due, calendar) == hours


@given(calendar=CALENDARS, start=STARTS, first=HOURS, second=HOURS.filter(lambda hours: hours > 0))
def test_adding_in_two_steps_equals_adding_once(
    calendar: SupportCalendar, start: datetime, first: Decimal, second: Decimal
) -> None:
    # What the paused clock relies on.  (second > 0: 0 h from a closing moment is the next opening.)
    in_two_steps = add_support_hours(add_support_hours(start, first, calendar), second, calendar)
    assert in_two_steps == add_support_hours(start, Decimal(first) + Decimal(second), calendar)


@given(calendar=CALENDARS, start=STARTS, span_minutes=st.integers(min_value=0, max_value=60 * 24 * 40))
def test_adding_the_hours_between_reaches_the_end(
    calendar: SupportCalendar, start: datetime, span_minutes: int
) -> None:
    # Add real (UTC) time, not wall-clock time, so the end is a real instant even across DST.
    end = (start.astimezone(UTC) + timedelta(minutes=span_minutes)).astimezone(start.tzinfo)
    reached = add_support_hours(start, support_hours_between(start, end, calendar), calendar).astimezone(UTC)
    if is_within_support_hours(end, calendar):
        assert reached == end
    else:  # an end outside hours: the last closing before it, or the opening after it
        assert reached <= next_support_opening(end, calendar).astimezone(UTC)
        earlier, later = sorted((reached, end.astimezone(UTC)))
        assert support_hours_between(earlier, later, calendar) == 0


def _due_by_counting_minutes(start: datetime, hours: int, calendar: SupportCalendar) -> datetime:
    """A slow, independent oracle: walk real time minute by minute, judging each by local wall clock."""
    cursor = start.astimezone(UTC)
    needed = hours * 60
    while True:
        local = cursor.astimezone(calendar.zone)
        is_open = (
            local.weekday() < 5
            and local.date() not in munich_holidays(local.year)
            and calendar.opens <= local.time() < calendar.closes
        )
        if is_open and needed == 0:
            return cursor
        if is_open:
            needed -= 1
            if needed == 0:
                return cursor + timedelta(minutes=1)
        cursor += timedelta(minutes=1)


@settings(max_examples=100, deadline=None)
@given(
    calendar=CALENDARS,
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)),
    priority=st.sampled_from(["urgent", "high"]),
)
def test_agrees_with_counting_minutes(calendar: SupportCalendar, start: datetime, priority: str) -> None:
    start = start.replace(second=0, microsecond=0)
    expected = _due_by_counting_minutes(start, TARGETS[priority], calendar)
    assert first_response_due(start, priority, calendar, TARGETS).astimezone(UTC) == expected
