"""The facts of an account that can cost money: the only source of invoice lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.rules.billing.months import BillingMonth, require_aware


@dataclass(frozen=True)
class SeatEvent:
    """The admin activated or deactivated a user; seats are counted from these facts alone."""

    user_id: str
    user_name: str
    activated: bool
    at: datetime

    def __post_init__(self) -> None:
        require_aware(self.at, "SeatEvent.at")


@dataclass(frozen=True)
class EditionChange:
    """From ``effective_at`` on, the account holds ``edition`` (until the next change)."""

    edition: str
    effective_at: datetime

    def __post_init__(self) -> None:
        require_aware(self.effective_at, "EditionChange.effective_at")


@dataclass(frozen=True)
class AppSubscription:
    """An add-on app subscribed at ``subscribed_at``; usable until ``cancelled_effective_at`` (exclusive)."""

    app_id: str
    subscribed_at: datetime
    cancelled_effective_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.subscribed_at, "AppSubscription.subscribed_at")
        if self.cancelled_effective_at is not None:
            require_aware(self.cancelled_effective_at, "AppSubscription.cancelled_effective_at")
            if self.cancelled_effective_at < self.subscribed_at:
                raise ValueError("an app cannot be cancelled before it was subscribed")


@dataclass(frozen=True)
class BillableHours:
    """Approved, billable support hours (SPEC §6) to be billed on the invoice for ``month``.

    The caller decides the month (the month in which the customer approved the service report),
    so the hours appear on the next invoice the nightly job issues.
    """

    month: BillingMonth
    hours: Decimal
    description: str

    def __post_init__(self) -> None:
        if not isinstance(self.hours, Decimal) or not self.hours.is_finite() or self.hours < 0:
            raise ValueError(f"hours must be a non-negative Decimal, got {self.hours!r}")


@dataclass(frozen=True)
class BillingHistory:
    """Everything that happened to an account that can cost money: the only source of invoice lines."""

    seat_events: Sequence[SeatEvent] = ()
    edition_changes: Sequence[EditionChange] = ()
    app_subscriptions: Sequence[AppSubscription] = ()
    billable_hours: Sequence[BillableHours] = ()


def history_until(history: BillingHistory, cutoff: datetime) -> BillingHistory:
    """The history as known at ``cutoff``: what is scheduled for later has not happened yet."""
    return BillingHistory(
        seat_events=[e for e in history.seat_events if e.at < cutoff],
        edition_changes=[c for c in history.edition_changes if c.effective_at < cutoff],
        app_subscriptions=[s for s in history.app_subscriptions if s.subscribed_at < cutoff],
        billable_hours=history.billable_hours,
    )
