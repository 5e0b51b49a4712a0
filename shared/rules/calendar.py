"""Working days of a named holiday calendar (policy: "a working day is Monday–Friday
and not a public holiday of the named calendar").

The holiday dates come from the maintained `holidays` library, never typed by hand,
so another company adopts Cocoon by naming its country and subdivision in the policy
(answered from the table seeded ahead of time when it holds the calendar and year:
shared/rules/holiday_library.py). Pure code: no clock, no AWS; every "today" is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from shared.rules.holiday_library import covered_years, holiday_dates

__all__ = ["WorkingCalendar", "YearOutOfRange", "last_day_of_month"]

_SATURDAY = 5


class YearOutOfRange(ValueError):
    """A year the holiday library has no data for.

    The library silently answers "no holidays" outside its range, which would turn
    Christmas into a working day; we refuse instead, naming the range we do cover.
    """

    def __init__(self, year: int, supported_years: range, calendar_name: str) -> None:
        self.year = year
        self.first_year = supported_years.start
        self.last_year = supported_years.stop - 1
        super().__init__(
            f"year {year} is outside the holiday calendar {calendar_name}, "
            f"which covers {self.first_year}–{self.last_year}"
        )


def last_day_of_month(d: date) -> date:
    """The month's last day: the day a monthly contract ends ("end of month")."""
    first_of_next_month = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next_month - timedelta(days=1)


@dataclass(frozen=True)
class WorkingCalendar:
    """A company calendar: a `holidays` country, subdivision and holiday categories.

    Categories matter: Bavaria keeps Assumption Day (15 August) only in its
    Catholic-majority municipalities such as Munich, and the library lists it under
    the "catholic" category, so the support calendar names ("public", "catholic").
    """

    country: str
    subdivision: str | None = None
    categories: tuple[str, ...] = ("public",)

    def __post_init__(self) -> None:
        # A policy file may hand over a list; keep the calendar hashable for caching.
        object.__setattr__(self, "categories", tuple(self.categories))
        try:  # fail at load time, naming the setting, not on the first cancellation
            _supported_years(self.country, self.subdivision, self.categories)
        except (NotImplementedError, ValueError) as error:
            raise ValueError(f"unknown holiday calendar {self.name}: {error}") from error

    @property
    def name(self) -> str:
        """How error messages name the calendar, e.g. "DE/BY (public, catholic)"."""
        place = f"{self.country}/{self.subdivision}" if self.subdivision else self.country
        return f"{place} ({', '.join(self.categories)})"

    @property
    def supported_years(self) -> range:
        """The years the holiday library has data for (its start_year..end_year)."""
        return _supported_years(self.country, self.subdivision, self.categories)

    def holidays_in(self, year: int) -> frozenset[date]:
        """The calendar's holidays of a year; raises YearOutOfRange outside the library's data."""
        if year not in self.supported_years:
            raise YearOutOfRange(year, self.supported_years, self.name)
        return _holidays_in(self.country, self.subdivision, self.categories, year)

    def is_working_day(self, d: date) -> bool:
        """Monday–Friday and not a holiday of this calendar."""
        return d.weekday() < _SATURDAY and d not in self.holidays_in(d.year)

    def working_days_between(self, after: date, up_to_and_including: date) -> int:
        """Working days d with after < d <= up_to_and_including (0 if the span is empty).

        The day of receipt itself never counts: notice runs from the day after.
        """
        count = 0
        d = after + timedelta(days=1)
        while d <= up_to_and_including:
            if self.is_working_day(d):
                count += 1
            d += timedelta(days=1)
        return count


@cache
def _supported_years(country: str, subdivision: str | None, categories: tuple[str, ...]) -> range:
    return covered_years(country, subdivision, categories)


@cache
def _holidays_in(country: str, subdivision: str | None, categories: tuple[str, ...], year: int) -> frozenset[date]:
    return holiday_dates(country, subdivision, categories, year)
