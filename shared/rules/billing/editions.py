"""Editions: when a change takes effect and which edition a period is billed at (SPEC §3)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from shared.rules.billing.errors import BillingError
from shared.rules.billing.history import EditionChange
from shared.rules.billing.months import COMPANY_TIME_ZONE, BillingMonth, overlaps, require_aware


def edition_change_effective_at(
    current_edition: str | None,
    new_edition: str,
    now: datetime,
    ranks: Mapping[str, int],
    zone: str = COMPANY_TIME_ZONE,
) -> datetime:
    """When a requested edition change takes effect (SPEC §3).

    An upgrade (higher rank), the first choice of an edition and a "change" to the same edition
    take effect at once (``now``); a downgrade only on the first instant of the next month, so
    the running month, already billable at the higher edition, keeps it.
    """
    require_aware(now, "now")
    if new_edition not in ranks:
        raise BillingError(f"unknown edition {new_edition!r}")
    if current_edition is None:
        return now
    if current_edition not in ranks:
        raise BillingError(f"unknown edition {current_edition!r}")
    if ranks[new_edition] >= ranks[current_edition]:
        return now
    return BillingMonth.containing(now, zone).end(zone)


def _edition_spans(edition_changes: Iterable[EditionChange]) -> list[tuple[str, datetime, datetime | None]]:
    ordered = sorted(edition_changes, key=lambda c: c.effective_at)
    return [
        (change.edition, change.effective_at, ordered[i + 1].effective_at if i + 1 < len(ordered) else None)
        for i, change in enumerate(ordered)
    ]


def editions_held_between(
    edition_changes: Iterable[EditionChange], start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime | None]]:
    """The editions held at some moment of [start, end), each with the span it was held."""
    return [span for span in _edition_spans(edition_changes) if overlaps(span[1], span[2], start, end)]


def edition_between(
    edition_changes: Iterable[EditionChange], start: datetime, end: datetime, ranks: Mapping[str, int]
) -> str | None:
    """The highest-ranked edition held at any moment of [start, end); ``None`` if none was held."""
    held = editions_held_between(edition_changes, start, end)
    for name, _, _ in held:
        if name not in ranks:
            raise BillingError(f"unknown edition {name!r} in the history")
    if not held:
        return None
    return max(held, key=lambda span: ranks[span[0]])[0]


def edition_for_month(
    edition_changes: Iterable[EditionChange],
    month: BillingMonth,
    ranks: Mapping[str, int],
    zone: str = COMPANY_TIME_ZONE,
) -> str | None:
    """The month is billed at the highest edition held in it: an upgrade on the 20th bills the month."""
    return edition_between(edition_changes, month.start(zone), month.end(zone), ranks)
