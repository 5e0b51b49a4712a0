"""Why a user counts in a month's bill: billing's seat rule, explained per user (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.rules.billing.history import SeatEvent
from shared.rules.billing.months import BillingMonth
from shared.rules.billing.seat_reasons import seat_reasons

ZONE = "Europe/Berlin"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_active_deactivated_this_month_and_last_month():
    events = [
        SeatEvent("u_max", "Max", True, at("2026-10-01T08:00")),
        SeatEvent("u_nina", "Nina", True, at("2026-10-01T08:00")),
        SeatEvent("u_nina", "Nina", False, at("2026-11-03T08:00")),
        SeatEvent("u_otto", "Otto", True, at("2026-10-01T08:00")),
        SeatEvent("u_otto", "Otto", False, at("2026-10-20T08:00")),
    ]
    active_now = {"u_max": True, "u_nina": False, "u_otto": False, "u_new": False}
    reasons = seat_reasons(events, active_now, BillingMonth(2026, 11), ZONE)
    assert reasons == {"u_max": "active", "u_nina": "was_active", "u_otto": "not_active", "u_new": "not_active"}


def test_the_month_is_the_companys_a_deactivation_just_before_midnight_in_berlin_is_last_month():
    events = [SeatEvent("u_a", "A", True, at("2026-10-01T08:00")), SeatEvent("u_a", "A", False, at("2026-10-31T22:30"))]
    # 22:30 UTC on 31 October is 23:30 in Berlin (CET): still October, so November does not count A.
    assert seat_reasons(events, {"u_a": False}, BillingMonth(2026, 11), ZONE) == {"u_a": "not_active"}
