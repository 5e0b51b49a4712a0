"""The holiday dates computed ahead of time (shared/holiday_snapshot.py): a cache that never decides a date.

Each test is an attempt to make a cold process answer a due time or notice period from dates the `holidays`
library would not give (a forged table, one of another library version, one left by other code) and the
expected refusal: the table is ignored, the dates are computed afresh, and the due times are the library's.
A fresh interpreter checks the cut itself: with a current table, a first due time imports no `holidays`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from infra.package import PackagingError, add_holiday_snapshot
from shared.holiday_snapshot import (
    SNAPSHOT_NAME,
    SOURCE_FILES,
    holiday_fingerprint,
    library_folder,
    library_version,
    policy_calendars,
    read_holiday_table,
)
from shared.policy import DEFAULT_POLICY_PATH, get_policy, load_policy
from shared.rules.holiday_library import holiday_table
from shared.snapshot import write_snapshot

ROOT = Path(__file__).resolve().parents[2]

# Due times around Munich's holidays (Ascension, Corpus Christi, Assumption, Christmas) in several years, the
# far ones as a reopened ticket or a test's X-Cocoon-Now would ask; notice periods over the turn of the year.
ANSWERS = """
import json, sys
from datetime import date, datetime
from zoneinfo import ZoneInfo
{before}
from shared.derived import company_calendar
from shared.policy import get_policy
from shared.services.support.clock import first_response_due
policy = get_policy()
moments = [datetime(2026, 5, 13, 15, tzinfo=ZoneInfo('Europe/Berlin')), datetime(2026, 6, 3, 17),
           datetime(2027, 8, 13, 16, tzinfo=ZoneInfo('UTC')), datetime(2026, 12, 23, 12, tzinfo=ZoneInfo('UTC')),
           datetime(2060, 8, 14, 14, tzinfo=ZoneInfo('Europe/Berlin')), datetime(2099, 12, 24, 9, tzinfo=ZoneInfo('UTC'))]
due = [first_response_due(moment.replace(tzinfo=moment.tzinfo or ZoneInfo('UTC')), priority, region, policy).isoformat()
       for region in policy.support.regions for moment in moments for priority in ('urgent', 'low')]
notice = [company_calendar().working_days_between(date(year, 12, 20), date(year + 1, 1, 10)) for year in (2026, 2045)]
print(json.dumps({{'holidays': 'holidays' in sys.modules, 'due': due, 'notice': notice}}))
"""
WITHOUT_TABLE = "import shared.derived as derived\nderived.seed_policy_holidays = lambda: False\n"


def fresh(before: str = "") -> dict[str, object]:
    """A fresh interpreter's due times and notice periods, and whether it imported `holidays`."""
    answer = subprocess.run([sys.executable, "-c", ANSWERS.format(before=before)], cwd=ROOT, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr[-3000:]
    return dict(json.loads(answer.stdout.strip().splitlines()[-1]))


def placed(packaged: Path, local: Path) -> str:
    """Code that points the process at these two snapshot files instead of the project's."""
    return ("from pathlib import Path\nimport shared.holiday_snapshot as snapshot\n"
            f"snapshot.PACKAGED_SNAPSHOT = Path({str(packaged)!r})\nsnapshot.LOCAL_SNAPSHOT = Path({str(local)!r})\n")


def test_a_first_due_time_with_a_current_table_imports_no_holidays_and_is_the_librarys() -> None:
    # Before: the first due time imported the library and its German module (~20-25 ms of a first ticket).
    library = fresh(WITHOUT_TABLE)
    assert library["holidays"] is True
    for _ in range(2):  # the first run may have to write .local/'s table; the second must use one
        seeded = fresh()
    assert seeded["holidays"] is False
    assert seeded["due"] == library["due"] and seeded["notice"] == library["notice"]


def _without_christmas(encoded: bytes) -> bytes:
    parts = [encoded[at : at + 4] for at in range(0, len(encoded), 4)]
    days = [date.fromordinal(int.from_bytes(part, "little")) for part in parts]
    kept = [part for part, day in zip(parts, days, strict=True) if (day.month, day.day) != (12, 25)]
    return b"".join(kept)


def _forged_table() -> dict[object, object]:
    """The policy's calendars with Christmas Day a working day in every year."""
    table = holiday_table(policy_calendars(get_policy()))
    return {key: (covered, {year: _without_christmas(encoded) for year, encoded in dates.items()})
            for key, (covered, dates) in table.items()}


@pytest.mark.parametrize("forgery", ["another version", "other calendars", "a header of its own choosing",
                                     "half written"])
def test_a_forged_or_stale_table_is_not_used_and_the_due_times_are_the_librarys(tmp_path: Path, forgery: str) -> None:
    calendars = policy_calendars(get_policy())
    folder = library_folder()
    assert folder is not None
    version = library_version(folder)
    assert version is not None
    packaged = tmp_path / "zip" / SNAPSHOT_NAME
    packaged.parent.mkdir()
    header = {"another version": holiday_fingerprint(calendars), "half written": holiday_fingerprint(calendars),
              "other calendars": holiday_fingerprint((("DE", "BW", ("public",)),)),
              "a header of its own choosing": "0" * 64}[forgery]
    assert write_snapshot(packaged, header, ("0.1" if forgery == "another version" else version, _forged_table()))
    if forgery == "half written":
        packaged.write_bytes(packaged.read_bytes()[: len(header) + 200])
    local = tmp_path / "local" / SNAPSHOT_NAME
    library = fresh(WITHOUT_TABLE)
    first = fresh(placed(packaged, local))
    assert first["due"] == library["due"] and first["notice"] == library["notice"]
    assert first["holidays"] is True  # the forged table was refused: the library answered, and its table was kept
    assert read_holiday_table(local, calendars, folder) == holiday_table(calendars)
    again = fresh(placed(packaged, local))
    assert again["holidays"] is False and again["due"] == library["due"]


def _zip(tmp_path: Path, dist_info: str, *, with_holidays: bool = True) -> Path:
    """A zip with what add_holiday_snapshot reads: the policy, our code and (or not) a `holidays`."""
    archive_path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("shared/policy.toml", DEFAULT_POLICY_PATH.read_bytes())
        for source in SOURCE_FILES:
            archive.writestr(source, (ROOT / source).read_bytes())
        if with_holidays:
            archive.writestr("holidays/__init__.py", "")
            archive.writestr(f"{dist_info}/METADATA", "Name: holidays\n")
    return archive_path


def test_the_zip_carries_the_table_of_its_own_policy_made_by_its_own_holidays(tmp_path: Path) -> None:
    folder = library_folder()
    assert folder is not None
    archive_path = _zip(tmp_path, f"holidays-{library_version(folder)}.dist-info")
    add_holiday_snapshot(archive_path)
    with zipfile.ZipFile(archive_path) as archive:
        (tmp_path / SNAPSHOT_NAME).write_bytes(archive.read(SNAPSHOT_NAME))
    calendars = policy_calendars(load_policy(DEFAULT_POLICY_PATH))
    assert read_holiday_table(tmp_path / SNAPSHOT_NAME, calendars, folder) == holiday_table(calendars)


def test_a_zip_of_another_holidays_gets_no_table_of_this_one(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match="holidays"):
        add_holiday_snapshot(_zip(tmp_path, "holidays-0.1.dist-info"))
    bare = tmp_path / "bare"
    bare.mkdir()
    archive_path = _zip(bare, "", with_holidays=False)
    add_holiday_snapshot(archive_path)
    with zipfile.ZipFile(archive_path) as archive:
        assert SNAPSHOT_NAME not in archive.namelist()
