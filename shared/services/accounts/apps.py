"""Add-on apps from the app store (SPEC §4): subscribe, and cancel to the end of the current month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.services.accounts.errors import UnknownApp


@dataclass(frozen=True)
class AppSubscription:
    app_id: str
    subscribed_at: datetime
    cancelled_effective_at: datetime | None


def _value(item: Any) -> AppSubscription:
    return AppSubscription(item.app_id, item.subscribed_at, item.cancelled_effective_at)


def _known_app(app_id: str) -> None:
    from shared.policy import get_policy

    catalogue = get_policy().billing.apps
    if app_id not in catalogue:
        raise UnknownApp(app_id, list(catalogue))


def subscribe_app(account_id: str, app_id: str, now: datetime) -> tuple[AppSubscription, bool]:
    """Subscribe (idempotent: resumes a subscription cancelled for the month's end); whether it is new."""
    from shared.storage.apps import subscribe

    _known_app(app_id)
    item, created = subscribe(account_id, app_id, now)
    return _value(item), created


def cancel_app(account_id: str, app_id: str, now: datetime) -> AppSubscription | None:
    """Cancel an app: the same notice rule as the contract, with the policy's notice for apps (0 by
    default: it ends with the current month). None: the app is not subscribed."""
    from shared.derived import company_calendar
    from shared.policy import get_policy
    from shared.rules.accounts.dates import moment_after
    from shared.rules.cancellation import cancellation_effective_date
    from shared.rules.clock import local_day
    from shared.storage.apps import current_subscription, record_app_cancellation

    _known_app(app_id)
    current = current_subscription(account_id, app_id, now)
    if current is None:
        return None
    if current.cancelled_effective_at is None:
        policy = get_policy()
        zone = ZoneInfo(policy.company_time_zone)
        last_day = cancellation_effective_date(
            local_day(now, zone), company_calendar(), policy.cancellation.apps_notice_working_days
        )
        current = record_app_cancellation(current, moment_after(last_day, zone))
    return _value(current)
