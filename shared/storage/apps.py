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


def cancel(account_id: str, app_id: str, now: datetime) -> AppSubscriptionItem | None:
    """Cancel an app: the same notice rule as the contract, with the policy's notice for apps (0 by
    default: it ends with the current month)."""
    from zoneinfo import ZoneInfo

    from shared.derived import company_calendar
    from shared.policy import get_policy
    from shared.rules.accounts.dates import moment_after
    from shared.rules.cancellation import cancellation_effective_date
    from shared.rules.clock import local_day

    current = _current(account_id, app_id, now)
    if current is None:
        return None
    if current.cancelled_effective_at is None:
        policy = get_policy()
        zone = ZoneInfo(policy.company_time_zone)
        last_day = cancellation_effective_date(
            local_day(now, zone), company_calendar(), policy.cancellation.apps_notice_working_days
        )
        effective_at = moment_after(last_day, zone)
        current.update(actions=[AppSubscriptionItem.cancelled_effective_at.set(effective_at)])
    return current
