"""Loading one country of the holidays library: the same dates, and the other countries stay unloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import holidays

from shared.rules.holiday_library import country_holidays

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_dates_are_the_librarys_own() -> None:
    for subdivision, categories in (("BW", ("public",)), ("BY", ("public", "catholic"))):
        for year in (2026, 2027, 2099):
            ours = dict(country_holidays("DE", subdivision, categories, years=year))
            library = dict(holidays.country_holidays("DE", subdiv=subdivision, categories=categories, years=year))
            assert ours == library and ours
    entity = country_holidays("DE", "BW", ("public",))
    assert (entity.start_year, entity.end_year) == (
        holidays.country_holidays("DE", subdiv="BW").start_year,
        holidays.country_holidays("DE", subdiv="BW").end_year,
    )


def _fresh(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def test_a_cold_process_loads_only_the_country_it_asks_for_and_any_other_use_still_works() -> None:
    printed = _fresh(
        "import sys\n"
        "from shared.rules.holiday_library import country_holidays\n"
        "days = country_holidays('DE', 'BW', ('public',), years=2026)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('holidays.countries.'))\n"
        "print(loaded)\n"
        "from holidays.countries import Austria\n"  # the package's own names still answer
        "import holidays\n"
        "print(len(holidays.Austria(years=2026)) > 0, len(holidays.country_holidays('FR', years=2026)) > 0)\n"
    ).splitlines()
    assert printed == ["['holidays.countries.germany']", "True True"]
