"""Seats: the users an account pays for in a period, replayed from the seat events alone."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from shared.rules.billing.history import SeatEvent
from shared.rules.billing.months import COMPANY_TIME_ZONE, BillingMonth, overlaps, require_aware


class CountedUser(NamedTuple):
    """A user billed for a month: the id and the name shown on the invoice line."""

    user_id: str
    name: str


@dataclass
class _UserActivity:
    name: str
    intervals: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    active_since: datetime | None = None


def seat_activity(seat_events: Iterable[SeatEvent], until: datetime | None = None) -> dict[str, _UserActivity]:
    """Replay the seat events per user into active intervals [activated, deactivated).

    Ties at the same instant keep their input order. A repeated activation of an active user
    (or deactivation of an inactive one) changes nothing: re-activating a user is the same seat.
    The name is the last one recorded before ``until`` (the end of the counted period).
    """
    users: dict[str, _UserActivity] = {}
    for event in sorted(seat_events, key=lambda e: e.at):
        activity = users.setdefault(event.user_id, _UserActivity(name=event.user_name))
        if until is None or event.at < until:
            activity.name = event.user_name
        if event.activated and activity.active_since is None:
            activity.active_since = event.at
        elif not event.activated and activity.active_since is not None:
            activity.intervals.append((activity.active_since, event.at))
            activity.active_since = None
    for activity in users.values():
        if activity.active_since is not None:
            activity.intervals.append((activity.active_since, None))
            activity.active_since = None
    return users


def users_counted_between(seat_events: Iterable[SeatEvent], start: datetime, end: datetime) -> list[CountedUser]:
    """Users active at any moment of [start, end), sorted by name (then id) for a stable invoice text."""
    require_aware(start, "start")
    require_aware(end, "end")
    counted = [
        CountedUser(user_id, activity.name)
        for user_id, activity in seat_activity(seat_events, until=end).items()
        if any(overlaps(a, d, start, end) for a, d in activity.intervals)
    ]
    return sorted(counted, key=lambda u: (u.name.casefold(), u.user_id))


def users_counted_in_month(
    seat_events: Iterable[SeatEvent], month: BillingMonth, zone: str = COMPANY_TIME_ZONE
) -> list[CountedUser]:
    """A user counts for a month if it was active at any moment of it (SPEC §3).

    A user deactivated on the 3rd and another activated on the 20th are two seats; a user
    deactivated and re-activated within the month is one seat.
    """
    return users_counted_between(seat_events, month.start(zone), month.end(zone))
