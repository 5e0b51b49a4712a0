"""Why each user counts, or not, in this month's bill (issue 16 item 2): billing's own seat rule, explained.

The count is `users_counted_in_month` (the invoice's rule), never a second copy; this only names
the reason the subscription page shows next to each user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from shared.rules.billing.history import SeatEvent
from shared.rules.billing.months import BillingMonth
from shared.rules.billing.seats import users_counted_in_month

SeatReason = Literal["active", "was_active", "not_active"]


def seat_reasons(
    seat_events: Iterable[SeatEvent], active_now: dict[str, bool], month: BillingMonth, zone: str
) -> dict[str, SeatReason]:
    """user id → "active" (counts, active now), "was_active" (counts: active on some moment of the month,
    deactivated since) or "not_active" (does not count)."""
    counted = {user.user_id for user in users_counted_in_month(seat_events, month, zone)}
    return {
        user_id: ("active" if active else "was_active") if user_id in counted else "not_active"
        for user_id, active in active_now.items()
    }
