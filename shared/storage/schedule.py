"""Scheduled actions: one item per thing a job must do later, found through the sparse due index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.rules.billing import BillingMonth
from shared.rules.clock import start_of_day, utc_iso
from shared.storage.models import ScheduledAction, account_pk


def action_sk(job: str, action: str) -> str:
    return f"DUE#{job}#{action}"


def scheduled_action(account_id: str, job: str, action: str, due_at: datetime) -> ScheduledAction:
    """A due item (not yet saved); the job deletes it in the transaction that carries out the action."""
    return ScheduledAction(
        account_pk(account_id),
        action_sk(job, action),
        account_id=account_id,
        action=action,
        due_job=job,
        due_at=utc_iso(due_at),
    )


def due_actions(job: str, now: datetime, page_size: int = 200) -> Iterator[ScheduledAction]:
    """What is due for `job` up to `now`: reads only due items, so a sweep costs what is due."""
    for item in ScheduledAction.due_index.query(job, ScheduledAction.due_at <= utc_iso(now), page_size=page_size):
        if isinstance(item, ScheduledAction):
            yield item


BILLING_JOB = "billing"
BILLING_CURSOR = "close-month"


def billing_cursor(account_id: str, moment: datetime) -> ScheduledAction:
    """The due item that wakes the billing job for this account when a month has ended."""
    return scheduled_action(account_id, BILLING_JOB, BILLING_CURSOR, moment)


def first_billing_moment(paid_from: date, zone: ZoneInfo) -> datetime:
    """The end of paid_from's month: the first moment there is a month to bill."""
    return start_of_day(BillingMonth.of(paid_from).next().first_day, zone)
