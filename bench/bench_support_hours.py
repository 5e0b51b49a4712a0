"""How many first-response due times per second the support-hours rules compute.

Why: the escalation job recomputes due times for every open ticket, and the ticket API computes
one per request; SPEC-derived target is >= 50,000 computations per second on one core of the
2-core build machine. Receipt moments are random across 2026-2028 (so holidays, weekends and
both DST regimes are hit) and spread over all priorities and regions of the policy file.

Run: ``python bench/bench_support_hours.py`` from the project root (~2 s).
"""

from __future__ import annotations

import random
import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from shared.rules.support_hours import SupportCalendar, first_response_due  # noqa: E402

TARGET_PER_SECOND = 50_000
SAMPLES = 20_000
MIN_SECONDS = 1.0


def _calendars_and_targets() -> tuple[list[SupportCalendar], dict[str, int]]:
    """The regions and targets straight from the policy file, so the bench measures what runs."""
    raw: dict[str, Any] = tomllib.loads((PROJECT_ROOT / "shared" / "policy.toml").read_text(encoding="utf-8"))
    support = raw["support"]
    calendars = [
        SupportCalendar(
            time_zone=region["time_zone"],
            opens=datetime.strptime(region["opens"], "%H:%M").time(),
            closes=datetime.strptime(region["closes"], "%H:%M").time(),
            holiday_country=support["holiday_country"],
            holiday_subdivision=support.get("holiday_subdivision"),
            holiday_categories=tuple(support.get("holiday_categories", ("public",))),
        )
        for region in support["regions"].values()
    ]
    return calendars, dict(support["first_response_hours"])


def _random_cases(
    rng: random.Random, calendars: list[SupportCalendar], priorities: list[str]
) -> list[tuple[datetime, str, SupportCalendar]]:
    """Receipt moments uniform over 2026-2028 (to the second), with a random priority and region."""
    first = datetime(2026, 1, 1, tzinfo=UTC)
    span_seconds = int((datetime(2029, 1, 1, tzinfo=UTC) - first).total_seconds())
    cases = []
    for _ in range(SAMPLES):
        received = first + timedelta(seconds=rng.randrange(span_seconds))
        cases.append((received, rng.choice(priorities), rng.choice(calendars)))
    return cases


def main() -> None:
    """Warm the caches once (as a long-lived Lambda would be), then time repeated passes."""
    calendars, targets = _calendars_and_targets()
    cases = _random_cases(random.Random(20260101), calendars, sorted(targets))
    for received, priority, calendar in cases:  # warm-up: holiday sets and per-date intervals
        first_response_due(received, priority, calendar, targets)

    computations = 0
    started = time.perf_counter()
    elapsed = 0.0
    while elapsed < MIN_SECONDS:
        for received, priority, calendar in cases:
            first_response_due(received, priority, calendar, targets)
        computations += len(cases)
        elapsed = time.perf_counter() - started

    per_second = computations / elapsed
    verdict = "OK" if per_second >= TARGET_PER_SECOND else "BELOW TARGET"
    print(
        f"support-hours due times: {per_second:,.0f}/s "
        f"({computations:,} in {elapsed:.2f} s; target >= {TARGET_PER_SECOND:,}/s) {verdict}"
    )


if __name__ == "__main__":
    main()
