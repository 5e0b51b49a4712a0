"""Add-on apps: which were subscribed in a period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shared.rules.billing.history import AppSubscription
from shared.rules.billing.months import overlaps


def apps_subscribed_between(app_subscriptions: Iterable[AppSubscription], start: datetime, end: datetime) -> list[str]:
    """Ids of the apps subscribed at any moment of [start, end), each once, sorted."""
    return sorted(
        {sub.app_id for sub in app_subscriptions if overlaps(sub.subscribed_at, sub.cancelled_effective_at, start, end)}
    )
