"""When billing must look at an account again, and the last day it is paid for."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.rules.billing.months import BillingMonth
from shared.rules.clock import start_of_day


def last_paid_day(cancellation_effective_on: date | None, deactivated_on: date | None) -> date | None:
    """The last paid day: a cancellation's effective date, or the day before a deactivation."""
    if cancellation_effective_on is not None:
        return cancellation_effective_on
    if deactivated_on is not None:
        return deactivated_on - timedelta(days=1)
    return None


def next_billing_moment(billing_ends_on: date | None, today: date, zone: ZoneInfo) -> datetime | None:
    """When the billing job must look at the account again: when the running month ends, unless billing ended.

    None: the account's last paid month has been billed, so its billing cursor goes away.
    """
    running = BillingMonth.of(today)
    if billing_ends_on is not None and BillingMonth.of(billing_ends_on) < running:
        return None
    return start_of_day(running.next().first_day, zone)

