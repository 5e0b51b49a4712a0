"""The `holidays` library's calendar of one country, loading that country only.

Why: `holidays.countries/__init__` imports all of the library's ~250 country modules, so the first
due time or notice period of a cold Lambda paid ~85 ms (about half an `import boto3`) for countries
the policy never names. The library itself finds a country by importing
`holidays.countries.<module>` (its registry), which needs the package, not its `__init__`'s names.
So the package is bound without running its `__init__`; the first time anything asks it for a
name it does not hold yet (`from holidays.countries import Austria`), the real `__init__` runs and
the name is answered: nothing that uses the library in any other way sees a difference.

Seeded: the dates never change for one version of the library, so they can be computed ahead of time
(`holiday_table`); shared/holiday_snapshot.py stores such a table beside the code and hands it to
`seed_holiday_dates`, and the rules ask `seeded_covered_years`/`seeded_holiday_dates` before the library.
A calendar or year the table does not hold is answered by the library, as before.

Pure: no AWS, no clock, no settings, no files; the dates are the library's own (tests compare them).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterable
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase

_PACKAGE = "holidays.countries"
_lock = threading.Lock()


def _countries_package_without_init() -> None:
    """Bind `holidays.countries` to the package module, its `__init__` deferred to the first name asked for."""
    with _lock:
        if _PACKAGE in sys.modules:
            return
        spec = importlib.util.find_spec(_PACKAGE)  # imports `holidays` itself, which does not import its countries
        if spec is None or spec.loader is None or _PACKAGE in sys.modules:
            return
        package = importlib.util.module_from_spec(spec)
        initialized = False

        def __getattr__(name: str) -> object:  # noqa: N807 - the module attribute hook (PEP 562)
            nonlocal initialized
            if initialized or name.startswith("__"):
                raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}")
            initialized = True
            assert spec.loader is not None
            spec.loader.exec_module(package)  # the real __init__: every country, as if imported normally
            return getattr(package, name)

        vars(package)["__getattr__"] = __getattr__
        sys.modules[_PACKAGE] = package
        parent: ModuleType = sys.modules["holidays"]
        vars(parent)["countries"] = package  # what the import system does once a submodule is loaded


def country_holidays(
    country: str, subdivision: str | None, categories: tuple[str, ...], years: int | None = None
) -> HolidayBase:
    """`holidays.country_holidays(country, subdiv=..., categories=..., years=...)`, loading only that country."""
    _countries_package_without_init()
    import holidays

    if years is None:
        return holidays.country_holidays(country, subdiv=subdivision, categories=categories)
    return holidays.country_holidays(country, subdiv=subdivision, categories=categories, years=years)


def covered_years(country: str, subdivision: str | None, categories: tuple[str, ...]) -> range:
    """The years the calendar has data for (e.g. 1991-2100 for Germany): the seeded table's, else the library's."""
    seeded = seeded_covered_years(country, subdivision, categories)
    if seeded is not None:
        return seeded
    entity = country_holidays(country, subdivision, categories)
    return range(entity.start_year, entity.end_year + 1)


def holiday_dates(country: str, subdivision: str | None, categories: tuple[str, ...], year: int) -> frozenset[date]:
    """One year's holiday dates: the seeded table's when it holds the year, else the library's (uncached: the
    calendars cache per year)."""
    seeded = seeded_holiday_dates(country, subdivision, categories, year)
    if seeded is not None:
        return seeded
    return frozenset(country_holidays(country, subdivision, categories, years=year).keys())


# --------------------------------------------------------------------------- a table computed ahead of time

CalendarKey = tuple[str, str | None, tuple[str, ...]]
"""A holiday calendar as the rules name it: (country, subdivision, categories)."""

YearDates = dict[int, bytes]
"""A calendar's holidays by year, each year's dates as `date.toordinal()` numbers of 4 little-endian bytes:
one bytes object a year is ~5x quicker to unpickle than a tuple of ints (a cold start loads ~220 years)."""

_ORDINAL_BYTES = 4

HolidayTable = dict[CalendarKey, tuple[range, YearDates]]
"""Per calendar: the years the library covers (its start_year..end_year) and the dates of some of them."""

_seeded: HolidayTable = {}


def holiday_table(calendars: tuple[CalendarKey, ...], years: range | None = None) -> HolidayTable:
    """The library's answer for each calendar: its covered years and the dates of each of `years` it covers
    (all of them when `years` is None), computed exactly as the rules ask for one year (`years=year`)."""
    table: HolidayTable = {}
    for country, subdivision, categories in calendars:
        entity = country_holidays(country, subdivision, categories)
        covered = range(entity.start_year, entity.end_year + 1)
        wanted = covered if years is None else range(max(years.start, covered.start), min(years.stop, covered.stop))
        table[(country, subdivision, tuple(categories))] = (covered, {
            year: _encoded(country_holidays(country, subdivision, categories, years=year).keys()) for year in wanted
        })
    return table


def _encoded(days: Iterable[date]) -> bytes:
    return b"".join(day.toordinal().to_bytes(_ORDINAL_BYTES, "little") for day in sorted(days))


def seed_holiday_dates(table: HolidayTable) -> None:
    """Answer these calendars from `table` from now on (the caller has checked it is of this library)."""
    _seeded.update(table)


def seeded_covered_years(country: str, subdivision: str | None, categories: tuple[str, ...]) -> range | None:
    """The seeded calendar's covered years, or None when it was not seeded (ask the library)."""
    entry = _seeded.get((country, subdivision, categories))
    return None if entry is None else entry[0]


def seeded_holiday_dates(
    country: str, subdivision: str | None, categories: tuple[str, ...], year: int
) -> frozenset[date] | None:
    """The seeded dates of one year, or None when the table does not hold that year (ask the library)."""
    entry = _seeded.get((country, subdivision, categories))
    if entry is None:
        return None
    encoded = entry[1].get(year)
    if not isinstance(encoded, bytes) or len(encoded) % _ORDINAL_BYTES:
        return None
    try:
        return frozenset(
            date.fromordinal(int.from_bytes(encoded[at : at + _ORDINAL_BYTES], "little"))
            for at in range(0, len(encoded), _ORDINAL_BYTES)
        )
    except (ValueError, OverflowError):
        return None  # a number that is no date: the library answers
