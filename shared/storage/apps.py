"""Add-on app subscriptions, kept as history for billing."""

from __future__ import annotations

from datetime import datetime

from shared.storage.models import AppSubscriptionItem, account_pk


def _current(account_id: str, app_id: str, now: datetime) -> AppSubscriptionItem | None:
    """The subscription that is in force now or runs to a future month's end."""
    for item in AppSubscriptionItem.query(
        account_pk(account_id), AppSubscriptionItem.sk.startswith(f"APP#{app_id}#"), consistent_read=True
    ):
        if isinstance(item, AppSubscriptionItem) and (
            item.cancelled_effective_at is None or item.cancelled_effective_at > now
        ):
            return item
    return None


def subscribe(account_id: str, app_id: str, now: datetime) -> tuple[AppSubscriptionItem, bool]:
    current = _current(account_id, app_id, now)
    if current is not None:
        if current.cancelled_effective_at is not None:
            current.update(actions=[AppSubscriptionItem.cancelled_effective_at.remove()])
        return current, False
    item = AppSubscriptionItem(
        account_pk(account_id),
        f"APP#{app_id}#{now.isoformat()}",
        account_id=account_id,
        app_id=app_id,
        subscribed_at=now,
    )
    item.save(condition=AppSubscriptionItem.pk.does_not_exist())
    return item, True


def current_subscription(account_id: str, app_id: str, now: datetime) -> AppSubscriptionItem | None:
    """The subscription that is in force now or runs to a future month's end (None: not subscribed)."""
    return _current(account_id, app_id, now)


def record_app_cancellation(item: AppSubscriptionItem, effective_at: datetime) -> AppSubscriptionItem:
    item.update(actions=[AppSubscriptionItem.cancelled_effective_at.set(effective_at)])
    return item
