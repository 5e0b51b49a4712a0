"""Support-hours arithmetic for first-response targets (SPEC §1 and §6 "Priority and targets").

A ticket's first-response due time is its moment of receipt plus N *support hours*: hours in
which the customer's support region is open (Mon–Fri, e.g. 10:00–18:00 Europe/Berlin for
DACH/EMEA, 09:00–17:00 America/New_York for USA), skipping weekends and Munich's public
holidays. Everything here is pure: no AWS, no clock — "now" is always a parameter — so the
same rules serve the ticket API, the escalation job and the tests.

Conventions (decided here, relied upon by callers):

* All datetimes must be timezone-aware; naive ones are refused, because a naive receipt time
  in a serverless function is almost always UTC mistaken for local time.
* A support day is the half-open interval ``[opens, closes)`` for *starting* work and the closed
  interval ``[opens, closes]`` for *ending* it. So 4 h from 14:00 on a DACH working day is
  18:00 the same day (the closing moment, not 10:00 the next working day), while a ticket
  received at exactly 18:00 starts counting at the next opening. Adding 0 hours to a moment
  outside support hours therefore gives the next opening.
* Each day's opening and closing are local wall-clock times of the region converted to instants
  through zoneinfo, so a day is exactly ``closes - opens`` long in real time and daylight-saving
  changes (EU and US switch on different Sundays) need no special cases. A wall-clock time that
  does not exist or exists twice on a change night is resolved with ``fold=0`` (zoneinfo's
  default: the offset in force before the change).
* Holidays are looked up on the region's *own* local dates: a USA ticket on the New York date
  of Munich's Corpus Christi finds that New York day closed.
* Results are exact to the microsecond (datetime's resolution): hours are converted to whole
  microseconds once (``Decimal``, half-even rounding), and ``support_hours_between`` returns a
  ``Decimal`` that converts back to the same microseconds, so
  ``add_support_hours(start, support_hours_between(start, end)) == end`` for ``end`` inside
  support hours.

Speed: the walk goes day by day (never hour by hour) over per-date open intervals cached with
``functools.lru_cache``; holiday sets are cached per year, and come from the seeded table
(shared/rules/holiday_library.py) when it holds the year, so a cold start need not import the library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from shared.rules.holiday_library import covered_years, holiday_dates

__all__ = [
    "MUNICH_HOLIDAY_CATEGORIES",
    "SupportCalendar",
    "SupportHours",
    "add_support_hours",
    "first_response_due",
    "is_support_working_day",
    "is_within_support_hours",
    "next_support_opening",
    "support_hours_between",
    "support_hours_paused",
]

SupportHours = Decimal | int | float
"""An amount of support hours as callers hold it: policy targets are ints, pauses are Decimals."""

MUNICH_HOLIDAY_CATEGORIES: tuple[str, ...] = ("public", "catholic")
"""Munich keeps Assumption Day (15 August); the `holidays` library has it for Bavaria only in its
"catholic" category (plain DE/BY "public" lacks it), so Munich needs both categories."""

_UTC = UTC
_ONE_DAY = timedelta(days=1)
_MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)
_ZERO = timedelta(0)

# How far the walk looks for the next open day before declaring the calendar broken. A real
# calendar has a working day every few days; a calendar with none (every day a holiday) would
# otherwise loop forever.
_MAX_CLOSED_DAYS_IN_A_ROW = 366


class _RegionHours(Protocol):
    """What a policy region provides (shared.policy.SupportRegion satisfies this)."""

    @property
    def time_zone(self) -> str: ...

    @property
    def opens(self) -> time: ...

    @property
    def closes(self) -> time: ...


class _HolidayCalendarSource(Protocol):
    """What the support policy provides for holidays (shared.policy.SupportPolicy satisfies this)."""

    @property
    def holiday_country(self) -> str: ...

    @property
    def holiday_subdivision(self) -> str | None: ...

    @property
    def holiday_categories(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class SupportCalendar:
    """When one support region answers tickets: its zone, daily hours and holiday calendar.

    Frozen and hashable so it can key the per-date interval cache; DACH and EMEA, having equal
    settings, compare equal and share cache entries.
    """

    time_zone: str
    opens: time
    closes: time
    holiday_country: str = "DE"
    holiday_subdivision: str | None = "BY"
    holiday_categories: tuple[str, ...] = MUNICH_HOLIDAY_CATEGORIES
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _hash: int = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Refuse settings that would make every due time meaningless, at construction time."""
        zone = ZoneInfo(self.time_zone)  # raises ZoneInfoNotFoundError for an unknown zone
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens/closes are the region's local wall-clock times; give them without tzinfo")
        if not self.opens < self.closes:
            raise ValueError(f"support must open before it closes (opens {self.opens}, closes {self.closes})")
        if not self.holiday_categories:
            raise ValueError("holiday_categories must name at least one category, e.g. 'public'")
        object.__setattr__(self, "holiday_categories", tuple(self.holiday_categories))
        object.__setattr__(self, "_zone", zone)
        # The calendar keys an lru_cache hit on every day of every walk; hashing the field tuple
        # each time would be a noticeable share of the cost, so hash once.
        object.__setattr__(
            self,
            "_hash",
            hash(
                (
                    self.time_zone,
                    self.opens,
                    self.closes,
                    self.holiday_country,
                    self.holiday_subdivision,
                    self.holiday_categories,
                )
            ),
        )

    def __hash__(self) -> int:
        """The hash computed once at construction (consistent with the generated __eq__)."""
        return self._hash

    @property
    def zone(self) -> ZoneInfo:
        """The region's time zone, in which support days, dates and holidays are reckoned."""
        return self._zone

    @property
    def hours_per_day(self) -> Decimal:
        """Support hours in one full working day (8 for both default regions)."""
        length = datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)
        return _timedelta_to_hours(length)

    @classmethod
    def for_region(cls, region: _RegionHours, holidays_from: _HolidayCalendarSource) -> SupportCalendar:
        """Build a region's calendar from the validated policy (a support region plus the support policy).

        Example: ``SupportCalendar.for_region(policy.support.regions["USA"], policy.support)``.
        """
        return cls(
            time_zone=region.time_zone,
            opens=region.opens,
            closes=region.closes,
            holiday_country=holidays_from.holiday_country,
            holiday_subdivision=holidays_from.holiday_subdivision,
            holiday_categories=tuple(holidays_from.holiday_categories),
        )


# --------------------------------------------------------------------------- caches


@lru_cache(maxsize=512)
def _holiday_dates(country: str, subdivision: str | None, categories: tuple[str, ...], year: int) -> frozenset[date]:
    """One year's holiday dates, computed once: the library is slow and the set never changes.

    Outside the library's data range it silently answers "no holidays", which would make
    Christmas a support day; we refuse such a year instead.
    """
    covered = _covered_years(country, subdivision, categories)
    if year not in covered:
        raise ValueError(
            f"year {year} is outside the support holiday calendar {country}-{subdivision} "
            f"{categories}, which covers {covered.start}-{covered.stop - 1}"
        )
    return holiday_dates(country, subdivision, categories, year)


@lru_cache(maxsize=32)
def _covered_years(country: str, subdivision: str | None, categories: tuple[str, ...]) -> range:
    """The years the holiday library has data for (e.g. 1991-2100 for Germany)."""
    return covered_years(country, subdivision, categories)


@lru_cache(maxsize=32_768)
def _open_interval(calendar: SupportCalendar, day: date) -> tuple[datetime, datetime] | None:
    """The support interval of one local date as UTC instants, or None if the region is closed.

    UTC instants (one shared tzinfo) make comparisons and subtractions in the walk cheap and
    exact; the local-to-UTC conversion per date is where daylight saving is handled.
    """
    if day.weekday() >= 5:
        return None
    if day in _holiday_dates(
        calendar.holiday_country, calendar.holiday_subdivision, calendar.holiday_categories, day.year
    ):
        return None
    zone = calendar.zone
    opening = datetime.combine(day, calendar.opens, tzinfo=zone).astimezone(_UTC)
    closing = datetime.combine(day, calendar.closes, tzinfo=zone).astimezone(_UTC)
    return opening, closing


# --------------------------------------------------------------------------- conversions


def _require_aware(moment: datetime, name: str) -> datetime:
    """Return the moment in UTC; refuse naive datetimes (an unknown zone means an unknown due time)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(_UTC)


def _hours_to_timedelta(hours: SupportHours) -> timedelta:
    """Support hours as an exact duration, rounded half-even to datetime's microsecond."""
    if isinstance(hours, bool):
        raise TypeError("support hours must be a number, not a bool")
    if isinstance(hours, int):
        if hours < 0:
            raise ValueError(f"support hours must not be negative, got {hours}")
        return timedelta(hours=hours)
    if isinstance(hours, float):
        if not math.isfinite(hours):
            raise ValueError(f"support hours must be finite, got {hours}")
        # repr() gives the shortest decimal that round-trips, so 0.1 means 0.1 h, not 0.1000000000000000055.
        hours = Decimal(repr(hours))
    if not isinstance(hours, Decimal):
        raise TypeError(f"support hours must be Decimal, int or float, got {type(hours).__name__}")
    if not hours.is_finite():
        raise ValueError(f"support hours must be finite, got {hours}")
    if hours < 0:
        raise ValueError(f"support hours must not be negative, got {hours}")
    try:
        microseconds = int((hours * _MICROSECONDS_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN))
    except InvalidOperation as exc:  # pragma: no cover - only for absurd magnitudes
        raise ValueError(f"support hours out of range: {hours}") from exc
    return timedelta(microseconds=microseconds)


def _timedelta_to_hours(duration: timedelta) -> Decimal:
    """A duration as Decimal hours; precise enough (28 digits) to convert back to the same microseconds."""
    microseconds = (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds
    return Decimal(microseconds) / _MICROSECONDS_PER_HOUR


def _local_date(moment_utc: datetime, zone: tzinfo) -> date:
    """The region's calendar date at a moment (the date holidays and weekends are judged by)."""
    return moment_utc.astimezone(zone).date()


# --------------------------------------------------------------------------- public rules


def is_support_working_day(day: date, calendar: SupportCalendar) -> bool:
    """Whether the region opens on this local date (Mon–Fri and not a Munich holiday)."""
    return _open_interval(calendar, day) is not None


def is_within_support_hours(moment: datetime, calendar: SupportCalendar) -> bool:
    """Whether the region is open at this moment (opening inclusive, closing exclusive)."""
    moment_utc = _require_aware(moment, "moment")
    interval = _open_interval(calendar, _local_date(moment_utc, calendar.zone))
    return interval is not None and interval[0] <= moment_utc < interval[1]


def next_support_opening(moment: datetime, calendar: SupportCalendar) -> datetime:
    """When the clock starts for a ticket received now: this moment if open, else the next opening."""
    return add_support_hours(moment, 0, calendar)


def add_support_hours(start: datetime, hours: SupportHours, calendar: SupportCalendar) -> datetime:
    """The moment ``hours`` support hours after ``start``, in the region's time zone.

    A start outside support hours begins counting at the next opening; weekends and holidays are
    skipped. The result may be a closing moment (the end of the last interval used) but is never
    otherwise outside support hours. Walks day by day so a 40-hour target costs a dozen steps.
    """
    return _add_support_time(_require_aware(start, "start"), _hours_to_timedelta(hours), calendar)


def _add_support_time(cursor: datetime, remaining: timedelta, calendar: SupportCalendar) -> datetime:
    """The walk behind add_support_hours, on a UTC start and an exact duration."""
    zone = calendar.zone
    day = _local_date(cursor, zone)
    closed_days = 0
    while True:
        interval = _open_interval(calendar, day)
        if interval is not None:
            closed_days = 0
            opening, closing = interval
            if cursor < opening:
                cursor = opening
            if cursor < closing:
                available = closing - cursor
                if remaining <= available:
                    return (cursor + remaining).astimezone(zone)
                remaining -= available
        else:
            closed_days += 1
            if closed_days > _MAX_CLOSED_DAYS_IN_A_ROW:
                raise ValueError(f"support calendar {calendar} has no working day within a year after {day}")
        day += _ONE_DAY


def support_hours_between(start: datetime, end: datetime, calendar: SupportCalendar) -> Decimal:
    """Support hours elapsed from ``start`` to ``end`` (0 outside support hours).

    Used to pause the response clock: the hours a ticket spent waiting for the customer are
    added to its target, ``add_support_hours(received, target + paused)``.
    """
    start_utc = _require_aware(start, "start")
    end_utc = _require_aware(end, "end")
    if end_utc < start_utc:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
    zone = calendar.zone
    day = _local_date(start_utc, zone)
    last_day = _local_date(end_utc, zone)
    elapsed = _ZERO
    while day <= last_day:
        interval = _open_interval(calendar, day)
        if interval is not None:
            lower = max(interval[0], start_utc)
            upper = min(interval[1], end_utc)
            if lower < upper:
                elapsed += upper - lower
        day += _ONE_DAY
    return _timedelta_to_hours(elapsed)


def support_hours_paused(pauses: Iterable[tuple[datetime, datetime]], calendar: SupportCalendar) -> Decimal:
    """Support hours covered by waiting-for-customer intervals; overlaps count once.

    Each pause is (entered waiting, left waiting). A pause still open is passed with ``now`` as its
    end by the caller, which keeps this function free of the clock.
    """
    spans = sorted((_require_aware(s, "pause start"), _require_aware(e, "pause end")) for s, e in pauses)
    total = Decimal(0)
    merged_start: datetime | None = None
    merged_end: datetime | None = None
    for span_start, span_end in spans:
        if span_end < span_start:
            raise ValueError(f"pause ends {span_end.isoformat()} before it starts {span_start.isoformat()}")
        if merged_start is None or merged_end is None or span_start > merged_end:
            if merged_start is not None and merged_end is not None:
                total += support_hours_between(merged_start, merged_end, calendar)
            merged_start, merged_end = span_start, span_end
        elif span_end > merged_end:
            merged_end = span_end
    if merged_start is not None and merged_end is not None:
        total += support_hours_between(merged_start, merged_end, calendar)
    return total


def first_response_due(
    received_at: datetime,
    priority: str,
    calendar: SupportCalendar,
    targets: Mapping[str, SupportHours],
    *,
    paused_hours: SupportHours = 0,
) -> datetime:
    """When the first response to a ticket is due: receipt + the priority's target in support hours.

    ``targets`` is the policy's ``support.first_response_hours`` (urgent 4, high 8, normal 16,
    low 40 by default). ``paused_hours`` (from ``support_hours_paused``) extends the target by
    the support time the ticket spent waiting for the customer. Recomputing from the receipt
    rather than shifting a stored due time keeps the result exact when the priority changes.
    """
    try:
        target = targets[priority]
    except KeyError:
        known = ", ".join(sorted(targets))
        raise ValueError(f"unknown priority {priority!r}; the policy knows {known}") from None
    total = _hours_to_timedelta(target) + _hours_to_timedelta(paused_hours)
    return _add_support_time(_require_aware(received_at, "received_at"), total, calendar)
