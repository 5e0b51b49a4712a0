"""The subscription page's facts for the account's admin (issue 16 item 2): read through storage's views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.rules.accounts.trial import trial_days_left
from shared.rules.clock import local_day
from shared.services.account_pages.viewer import Viewer


def subscription_facts(viewer: Viewer, now: datetime, time_zone: str) -> dict[str, Any]:
    """State, edition, trial days left and the users (who is active, so counts in this month's bill).

    The account in its one shape (shared/api/account_view.py) is the HTTP edge's: here the account item and
    its users, which the page shows through that view.
    """
    from shared.storage.accounts import get_account, users_of

    viewer.must_be_admin()
    account = get_account(viewer.account_id)
    if account is None:
        raise LookupError("the viewer's account is gone")
    view = {"account": account, "users": users_of(viewer.account_id)}
    today = local_day(now, ZoneInfo(time_zone))
    ends = date.fromisoformat(account.trial_ends_on) if account.trial_ends_on else None
    days = trial_days_left(ends, today) if account.state == "trial" else None
    return {**view, "trial_days_left": days, "trial_ends": ends, "seat_reasons": _seat_reasons(view, now, time_zone)}


def _seat_reasons(view: dict[str, Any], now: datetime, time_zone: str) -> dict[str, str]:
    """Per user, whether and why they count in this month's bill (billing's seat rule)."""
    from shared.rules.billing.months import BillingMonth
    from shared.rules.billing.seat_reasons import seat_reasons
    from shared.storage.seat_history import seat_facts

    active_now = {user.user_id: bool(user.active) for user in view["users"]}
    month = BillingMonth.containing(now, time_zone)
    return dict(seat_reasons(seat_facts(view["account"].account_id), active_now, month, time_zone))
