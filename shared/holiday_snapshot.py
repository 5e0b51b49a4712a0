"""The holiday dates of the policy's calendars, computed ahead of time: a cold start imports no `holidays`.

Why: a fresh interpreter's first due time (a web-form ticket) or notice period imported the `holidays`
library and its German module and computed the year's dates: ~20-25 ms of CPU, for dates that never change
for one version of the library. So they are computed once (shared/rules/holiday_library.py `holiday_table`),
kept beside the code like the validated policy (shared/snapshot.py), and seeded into the rules, which answer
from the table and ask the library only for what it does not hold.

What: for each calendar the policy names (the support regions' `support.holiday_*`; the cancellation
notice's `cancellation.holiday_country`/`holiday_subdivision` with the "public" category, as shared/derived.py
builds them) the years the library covers (its start_year..end_year) and the dates of *every* one of them:
1991-2100 for Germany, ~1,400 dates a calendar, ~15 KB and ~0.1 ms to load for two. The whole range rather
than a window around the build year: then the file depends on nothing but the library and the policy (no
clock: the same zip whenever it is built), a due time, pause or notice period in any year the library knows
(a ticket reopened in ten years, a test's X-Cocoon-Now in 2060) never falls back, and the build costs only
~20 ms a calendar. A year or calendar the table lacks is still the library's (`seeded_holiday_dates` None).

Fingerprint: the calendars, the code that computes and seeds the table (this module and
shared/rules/holiday_library.py) and, through shared/snapshot.py, the Python minor version; then the library's
version, which is stored in the file beside the table and must be the installed library's. That check is one
stat: the `holidays-<version>.dist-info` folder pip made is beside the `holidays` package, which
`importlib.util.find_spec` locates without importing anything (a top-level package). Not
`holidays.__version__` (importing the library is what this avoids, and its version.py asks importlib.metadata
anyway), nor importlib.metadata itself (it searches every distribution on sys.path: slow), nor listing the
folder (~0.2 ms for site-packages' ~300 names), nor file times (a zip's are all 1980). The version written is
the folder's only `holidays-*.dist-info` (none or several: nothing is written). The trust is the policy
snapshot's, and the same as importlib.metadata's: pip gives every release its own version and dist-info
folder and removes the old one, so the data changes only with the name. Measured: ~0.3 ms to seed.

Where: the zip's root (infra/package.py `add_holiday_snapshot`, made from the zip's own policy and checked
against the zip's `holidays`), else `.local/`, written on first use where that folder can be written. Where it
cannot (a Lambda's read-only code folder whose zip lacks a current table) nothing is computed ahead: the
library answers year by year, as before. A stale, foreign or corrupt file is ignored, never trusted.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from shared.rules.holiday_library import CalendarKey, HolidayTable, holiday_table, seed_holiday_dates
from shared.snapshot import fingerprint, read_snapshot, write_snapshot

if TYPE_CHECKING:
    from shared.policy import Policy

SNAPSHOT_NAME = "holiday_snapshot.pickle"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
PACKAGED_SNAPSHOT = PROJECT_ROOT / SNAPSHOT_NAME  # infra/package.py writes it
LOCAL_SNAPSHOT = PROJECT_ROOT / ".local" / SNAPSHOT_NAME  # where shared/policy.py keeps its own
_LIBRARY = "holidays"
# The code a table is made and read by, in its fingerprint (infra/package.py checks the zip holds the same).
SOURCE_FILES = ("shared/holiday_snapshot.py", "shared/rules/holiday_library.py")
_SOURCES = tuple(PROJECT_ROOT / name for name in SOURCE_FILES)


def policy_calendars(policy: Policy) -> tuple[CalendarKey, ...]:
    """The holiday calendars the policy names, as the rules key them (shared/derived.py builds these)."""
    support, cancellation = policy.support, policy.cancellation
    named = {
        (support.holiday_country, support.holiday_subdivision, tuple(support.holiday_categories)),
        (cancellation.holiday_country, cancellation.holiday_subdivision, ("public",)),  # WorkingCalendar's default
    }
    return tuple(sorted(named, key=repr))


def library_folder() -> Path | None:
    """The folder holding the `holidays` package an import would load, found without importing it."""
    try:
        spec = importlib.util.find_spec(_LIBRARY)  # a top-level package: imports nothing
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).parent


def library_version(folder: Path) -> str | None:
    """The version of the `holidays` in `folder`, from its one dist-info folder's name; None if none or several
    (the table is then neither written nor used)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    versions = [name[len(_LIBRARY) + 1 : -len(".dist-info")] for name in names
                if name.startswith(f"{_LIBRARY}-") and name.endswith(".dist-info")]
    return versions[0] if len(versions) == 1 and versions[0] else None


def _is_version(folder: Path, version: str) -> bool:
    """Whether `folder`'s `holidays` is of `version`: its dist-info folder is there (one stat, no listing)."""
    return bool(version) and "/" not in version and (folder / f"{_LIBRARY}-{version}.dist-info").is_dir()


def holiday_fingerprint(calendars: tuple[CalendarKey, ...]) -> str:
    """What a table was made from: these calendars and this code (and Python); the library's version is
    stored in the file and checked against the installed library's after the fingerprint (`read_holiday_table`)."""
    return fingerprint(_LIBRARY.encode(), repr(calendars).encode(), *(path.read_bytes() for path in _SOURCES))


def _as_table(value: object, calendars: tuple[CalendarKey, ...]) -> HolidayTable | None:
    """`value` if it has the shape of a table of exactly these calendars; else None (the dates are checked as
    the rules read them: bytes that are no dates send that year to the library)."""
    if not isinstance(value, dict) or set(value) != set(calendars):
        return None
    for entry in value.values():
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], range)
                and entry[0].step == 1 and isinstance(entry[1], dict)):
            return None
        for year, dates in entry[1].items():
            if type(year) is not int or year not in entry[0] or not isinstance(dates, bytes):
                return None
    return value


def read_holiday_table(path: Path, calendars: tuple[CalendarKey, ...], folder: Path) -> HolidayTable | None:
    """The table stored at `path` if it was made for these calendars by this code from the `holidays` that
    lies in `folder` (the version stored beside the table is the one installed there); else None."""
    stored = read_snapshot(path, holiday_fingerprint(calendars))
    if not (isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], str)):
        return None
    version, table = stored
    if not _is_version(folder, version):
        return None
    return _as_table(table, calendars)


def write_holiday_snapshot(
    target: Path, calendars: tuple[CalendarKey, ...], version: str
) -> tuple[HolidayTable, bool]:
    """Compute the calendars' table with the library imported here (of `version`, which the caller has checked)
    and store it at `target`: the table, and whether it was written (False where the folder is read-only).
    Raises what the library raises for a calendar it does not know."""
    table = holiday_table(calendars)
    return table, write_snapshot(target, holiday_fingerprint(calendars), (version, table))


def _writable(path: Path) -> bool:
    """Whether `path` could be created: its nearest existing folder is writable (a Lambda's code is not)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK)


def seed_from_snapshots(
    calendars: tuple[CalendarKey, ...], snapshots: tuple[Path, ...], local: Path | None
) -> bool:
    """Seed the rules with the first current table among `snapshots`; else compute one and keep it at `local`
    when that can be written. False when nothing was seeded (the rules ask the library, as without a table)."""
    folder = library_folder()
    if folder is None:
        return False
    for snapshot in snapshots:
        table = read_holiday_table(snapshot, calendars, folder)
        if table is not None:
            seed_holiday_dates(table)
            return True
    if local is None or not _writable(local):
        return False
    version = library_version(folder)
    if version is None:
        return False
    try:
        table, _ = write_holiday_snapshot(local, calendars, version)
    except (NotImplementedError, LookupError, ValueError):
        return False  # a calendar the library does not know: the rules say so, naming the setting
    seed_holiday_dates(table)
    return True


@cache
def seed_policy_holidays() -> bool:
    """Seed the rules with the process's policy's calendars, once (shared/derived.py, before any calendar)."""
    from shared.policy import get_policy

    return seed_from_snapshots(policy_calendars(get_policy()), (PACKAGED_SNAPSHOT, LOCAL_SNAPSHOT), LOCAL_SNAPSHOT)
