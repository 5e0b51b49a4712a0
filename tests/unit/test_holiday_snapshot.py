"""The holiday dates computed ahead of time (shared/holiday_snapshot.py): always the library's answer.

The seeded table gives exactly `holidays.country_holidays`' dates and covered years; a year or calendar it does
not hold is the library's; a file made from other calendars, another library version, or that is cut short or
forged is ignored and the dates are computed afresh, the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import holidays
import pytest

from shared import holiday_snapshot
from shared.holiday_snapshot import (
    holiday_fingerprint,
    library_folder,
    library_version,
    policy_calendars,
    read_holiday_table,
    seed_from_snapshots,
    write_holiday_snapshot,
)
from shared.policy import get_policy
from shared.rules import calendar, holiday_library, support_hours
from shared.rules.calendar import WorkingCalendar
from shared.rules.holiday_library import CalendarKey, holiday_table, seed_holiday_dates, seeded_holiday_dates
from shared.snapshot import write_snapshot

CALENDARS = policy_calendars(get_policy())


def _clear_caches() -> None:
    for cached in (support_hours._holiday_dates, support_hours._covered_years, support_hours._open_interval,
                   calendar._supported_years, calendar._holidays_in):
        cached.cache_clear()


@pytest.fixture(autouse=True)
def unseeded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no table seeded and no cached year, and leaves the process as it found it."""
    monkeypatch.setattr(holiday_library, "_seeded", {})
    _clear_caches()
    yield
    _clear_caches()


def _library(key: CalendarKey, year: int) -> frozenset[date]:
    country, subdivision, categories = key
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, categories=categories, years=year))


def _library_years(key: CalendarKey) -> range:
    entity = holidays.country_holidays(key[0], subdiv=key[1], categories=key[2])
    return range(entity.start_year, entity.end_year + 1)


def _no_library(*args: object, **kwargs: object) -> object:
    raise AssertionError(f"asked the holidays library for {args}")


def _rules_answer(key: CalendarKey, year: int) -> frozenset[date]:
    """The year's holidays as both rules modules give them (support hours and working days)."""
    support = support_hours._holiday_dates(*key, year)
    working = WorkingCalendar(*key).holidays_in(year)
    assert support == working
    return support


def test_the_policy_names_the_support_and_the_cancellation_calendars() -> None:
    policy = get_policy()
    assert set(CALENDARS) == {
        (policy.support.holiday_country, policy.support.holiday_subdivision, tuple(policy.support.holiday_categories)),
        (policy.cancellation.holiday_country, policy.cancellation.holiday_subdivision, ("public",)),
    }


def test_the_seeded_table_gives_exactly_the_librarys_dates_for_every_year_and_its_covered_range(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_holiday_dates(holiday_table(CALENDARS))
    # Every answer below must come from the table: the rules' one way to the library is cut.
    monkeypatch.setattr(holiday_library, "country_holidays", _no_library)
    for key in CALENDARS:
        covered = _library_years(key)
        assert support_hours._covered_years(*key) == WorkingCalendar(*key).supported_years == covered
        assert len(covered) > 100  # 1991-2100: the whole range, not a window
        for year in covered:
            assert _rules_answer(key, year) == _library(key, year), (key, year)
        assert date(2026, 8, 15) in _rules_answer(key, 2026) or key[2] == ("public",)  # Assumption: catholic only


def test_a_year_or_calendar_outside_the_table_falls_back_to_the_library() -> None:
    seed_holiday_dates(holiday_table(CALENDARS, years=range(2026, 2028)))
    for key in CALENDARS:
        assert seeded_holiday_dates(*key, 2026) == _library(key, 2026)
        assert seeded_holiday_dates(*key, 2030) is None
        for year in (2025, 2030, 2099):
            assert _rules_answer(key, year) == _library(key, year), (key, year)
    other: CalendarKey = ("DE", "BE", ("public",))
    assert seeded_holiday_dates(*other, 2026) is None
    assert _rules_answer(other, 2026) == _library(other, 2026)
    with pytest.raises(ValueError, match="outside"):  # the range still refuses a year the library lacks
        support_hours._holiday_dates(*CALENDARS[0], 2101)


def test_a_year_whose_bytes_are_no_dates_is_the_librarys() -> None:
    key = CALENDARS[0]
    seed_holiday_dates({key: (_library_years(key), {2026: b"\xff\xff\xff\xff", 2027: b"\x01\x02\x03"})})
    assert seeded_holiday_dates(*key, 2026) is None and seeded_holiday_dates(*key, 2027) is None
    assert _rules_answer(key, 2026) == _library(key, 2026)


def _version() -> str:
    folder = library_folder()
    assert folder is not None
    version = library_version(folder)
    assert version is not None and version == holidays.__version__
    return version


def test_a_written_snapshot_reads_back_as_the_librarys_table(tmp_path: Path) -> None:
    table, written = write_holiday_snapshot(tmp_path / "h.pickle", CALENDARS, _version())
    assert written and table == holiday_table(CALENDARS)
    folder = library_folder()
    assert folder is not None and read_holiday_table(tmp_path / "h.pickle", CALENDARS, folder) == table
    assert seed_from_snapshots(CALENDARS, (tmp_path / "h.pickle",), None)
    for key in CALENDARS:
        assert _rules_answer(key, 2026) == _library(key, 2026)


def _forged(key: CalendarKey) -> dict[CalendarKey, tuple[range, dict[int, bytes]]]:
    """A table in which Christmas Day 2026 is a working day: what a stale or foreign file would hand out."""
    days = sorted(_library(key, 2026) - {date(2026, 12, 25)})
    return {key: (_library_years(key), {2026: b"".join(d.toordinal().to_bytes(4, "little") for d in days)})}


def _forged_table() -> dict[CalendarKey, tuple[range, dict[int, bytes]]]:
    return {k: v for key in CALENDARS for k, v in _forged(key).items()}


@pytest.mark.parametrize(
    "header",
    ["", "0" * 64, "fingerprint of other calendars", "fingerprint of another version"],
)
def test_a_snapshot_with_another_fingerprint_or_version_is_ignored_and_the_dates_are_right(
    tmp_path: Path, header: str
) -> None:
    snapshot = tmp_path / "h.pickle"
    version = _version()
    if header == "fingerprint of other calendars":
        header = holiday_fingerprint((("DE", "BW", ("public",)),))
    elif header == "fingerprint of another version":  # the right header, made by a library no longer installed
        header, version = holiday_fingerprint(CALENDARS), "0.1"
    assert write_snapshot(snapshot, header, (version, _forged_table()))
    assert not seed_from_snapshots(CALENDARS, (snapshot,), None)
    for key in CALENDARS:
        assert date(2026, 12, 25) in _rules_answer(key, 2026)
        assert _rules_answer(key, 2026) == _library(key, 2026)


@pytest.mark.parametrize(
    "payload", [b"", b"not a pickle", b"\x80\x05K", b"\x80\x05cshared.nothing\nHere\n.", b"\x80\x05N."]
)
def test_a_corrupt_snapshot_is_ignored_computed_afresh_and_kept(tmp_path: Path, payload: bytes) -> None:
    snapshot = tmp_path / "local" / "h.pickle"
    snapshot.parent.mkdir()
    snapshot.write_bytes(holiday_fingerprint(CALENDARS).encode() + b"\n" + payload)
    assert seed_from_snapshots(CALENDARS, (snapshot,), snapshot)  # computed now, and written over the broken one
    for key in CALENDARS:
        assert _rules_answer(key, 2026) == _library(key, 2026)
    folder = library_folder()
    assert folder is not None and read_holiday_table(snapshot, CALENDARS, folder) == holiday_table(CALENDARS)


@pytest.mark.parametrize("shape", ["not a table", "other calendars", "year outside", "tuple of dates"])
def test_a_snapshot_of_the_wrong_shape_is_ignored(tmp_path: Path, shape: str) -> None:
    key = CALENDARS[0]
    table: object = {
        "not a table": ["DE"],
        "other calendars": {("DE", "BW", ("public",)): (range(1991, 2101), {})},
        "year outside": {k: (range(1991, 2101), {2200: b""}) for k in CALENDARS},
        "tuple of dates": {k: (range(1991, 2101), {2026: (date(2026, 1, 1),)}) for k in CALENDARS},
    }[shape]
    snapshot = tmp_path / "h.pickle"
    assert write_snapshot(snapshot, holiday_fingerprint(CALENDARS), (_version(), table))
    assert not seed_from_snapshots(CALENDARS, (snapshot,), None)
    assert _rules_answer(key, 2026) == _library(key, 2026)


@pytest.mark.parametrize("place", ["below a file", "read-only"])
def test_a_folder_it_cannot_write_gets_nothing_computed_ahead_and_the_library_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, place: str
) -> None:
    # Stands for a Lambda's read-only code folder whose zip lacks a current table: no 110 years computed there.
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    local = blocked / "local" / "h.pickle"
    with monkeypatch.context() as patched:
        if place == "read-only":  # the tests may run as root, for whom every folder is writable
            local = tmp_path / "local" / "h.pickle"
            patched.setattr(holiday_snapshot.os, "access", lambda path, mode: False)
        patched.setattr(holiday_snapshot, "holiday_table", _no_library)
        assert not holiday_snapshot._writable(local)
        assert not seed_from_snapshots(CALENDARS, (tmp_path / "absent.pickle",), local)
    assert holiday_library._seeded == {} and not local.exists()
    for key in CALENDARS:
        assert _rules_answer(key, 2026) == _library(key, 2026)


def test_the_version_is_the_one_dist_info_folder_beside_the_package(tmp_path: Path) -> None:
    assert library_version(tmp_path) is None
    (tmp_path / "holidays-0.5.dist-info").mkdir()
    (tmp_path / "holidays_extra-1.0.dist-info").mkdir()
    assert library_version(tmp_path) == "0.5"
    assert holiday_snapshot._is_version(tmp_path, "0.5") and not holiday_snapshot._is_version(tmp_path, "0.6")
    (tmp_path / "holidays-0.6.dist-info").mkdir()
    assert library_version(tmp_path) is None  # two: which one is installed is unknown, so nothing is written
