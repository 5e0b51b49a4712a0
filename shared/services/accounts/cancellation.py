"""Cancelling a contract (SPEC §5): one path for every channel, and withdrawing before it takes effect.

The decisions (trial: nothing to cancel; one pending cancellation at a time; a day of receipt is
never in the future; the notice rule) live here and in rules; storage records the change, its
mail and the scheduled deactivation in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules.calendar import WorkingCalendar
from shared.rules.cancellation import MonthDeadline, cancellation_deadlines, cancellation_effective_date
from shared.rules.cancellation import YearOutOfRange as YearOutOfRange  # what deadline_table raises
from shared.rules.clock import local_day
from shared.services.accounts.errors import (
    AccountNotFound,
    CancellationNotWithdrawable,
    NoPendingCancellation,
    NotACustomer,
    ReceivedBeforeAccount,
    ReceivedInFuture,
    StaleState,
)


class CancellationFacts(Protocol):
    """What a recorded cancellation says (the stored record or a fake's)."""

    @property
    def received_on(self) -> str: ...
    @property
    def effective_on(self) -> str: ...
    @property
    def channel(self) -> str: ...


class CancellableAccount(Protocol):
    @property
    def account_id(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def cancellation(self) -> CancellationFacts | None: ...


class CancellationStore(Protocol):
    """The storage a cancellation needs; DynamoDB's is shared.storage.cancellations.CancellationTable."""

    def get_account(self, account_id: str) -> CancellableAccount | None: ...

    def record(
        self, account: CancellableAccount, received_on: date, effective_on: date, channel: str, now: datetime
    ) -> CancellationFacts:
        """Raises StaleState if the account is no longer a customer without a pending cancellation."""
        ...

    def withdraw(self, account: CancellableAccount, now: datetime) -> CancellationFacts:
        """Raises StaleState if the cancellation took effect or changed."""
        ...


@dataclass(frozen=True)
class CancellationOutcome:
    status: Literal["recorded", "pending", "withdrawn", "not_needed"]
    cancellation: CancellationFacts | None = None


def cancel(
    account_id: str,
    received_on: date | None,
    channel: str,
    now: datetime,
    account: CancellableAccount | None = None,
    *,
    store: CancellationStore | None = None,
    policy: Policy | None = None,
    calendar: WorkingCalendar | None = None,
) -> CancellationOutcome:
    """Cancel the account's contract, received on `received_on` (None: today, the app's channel).

    `account` is the one the middleware already read for a tenant; the store, policy and calendar
    default to DynamoDB's, the loaded policy and the company calendar (fakes in the unit tests).
    """
    policy = policy or _policy()
    calendar = calendar or _company_calendar()
    store = store or _table(policy)
    account = account or store.get_account(account_id)
    if account is None:
        raise AccountNotFound(account_id)
    zone = ZoneInfo(policy.company_time_zone)
    today = local_day(now, zone)
    if account.state == "trial":
        return CancellationOutcome("not_needed")
    if account.state != "customer":
        raise NotACustomer(account.state)
    if account.cancellation is not None:
        return CancellationOutcome("pending", account.cancellation)
    received = received_on or today
    if received > today:
        raise ReceivedInFuture(today)
    created_on = local_day(account.created_at, zone)
    if received < created_on:  # also keeps the day inside the holiday calendar's years
        raise ReceivedBeforeAccount(created_on)
    effective_on = cancellation_effective_date(received, calendar, policy.cancellation.notice_working_days)
    try:
        record = store.record(account, received, effective_on, channel, now)
    except StaleState:
        # A parallel request recorded one first: answer it, as if this one had come second.
        fresh = store.get_account(account_id)
        if fresh is not None and fresh.cancellation is not None:
            return CancellationOutcome("pending", fresh.cancellation)
        raise
    return CancellationOutcome("recorded", record)


def withdraw(
    account: CancellableAccount | None, now: datetime, *, store: CancellationStore | None = None
) -> CancellationOutcome:
    """Withdraw the pending cancellation; the contract simply goes on."""
    if account is None or account.cancellation is None:
        raise NoPendingCancellation
    store = store or _table(_policy())
    try:
        record = store.withdraw(account, now)
    except StaleState as exc:
        raise CancellationNotWithdrawable(str(exc)) from exc
    return CancellationOutcome("withdrawn", record)


def deadline_table(
    year: int, *, policy: Policy | None = None, calendar: WorkingCalendar | None = None
) -> list[MonthDeadline]:
    """The public table of last days of receipt; YearOutOfRange if the holiday library lacks the year."""
    policy = policy or _policy()
    return cancellation_deadlines(year, calendar or _company_calendar(), policy.cancellation.notice_working_days)


# Loaded on first use, so importing the use case (and its unit tests) needs no settings or AWS.
def _policy() -> Policy:
    from shared.policy import get_policy

    return get_policy()


def _company_calendar() -> WorkingCalendar:
    from shared.derived import company_calendar

    return company_calendar()


def _table(policy: Policy) -> CancellationStore:
    from shared.services.accounts.cancellation_store import CancellationTable

    return CancellationTable(policy)
