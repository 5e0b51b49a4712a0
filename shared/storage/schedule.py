"""Scheduled actions: one item per thing a job must do later, found through the sparse due index."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.rules.clock import start_of_day, utc_iso
from shared.storage.models import ScheduledAction, account_pk

# Jobs whose due items are written by the thousand at one moment (every billing cursor moves to the
# same midnight, every invoice adds a mail). One index key takes ~1,000 writes/s, so their items are
# spread over this many keys, "billing#00".."billing#15" (infra/BILLING_SCALE.md, hot keys).
DUE_KEY_SHARDS = {"billing": 16, "mail": 16, "dunning": 16}  # dunning: every issued invoice


def due_key(job: str, spread_by: str) -> str:
    """The due index key of one item of `job`: the job's name, with a stable shard where the job has shards."""
    shards = DUE_KEY_SHARDS.get(job)
    if not shards:
        return job
    return f"{job}#{zlib.crc32(spread_by.encode()) % shards:02d}"


def due_keys(job: str) -> list[str]:
    """Every due index key `job`'s items may be under: what a job reads."""
    shards = DUE_KEY_SHARDS.get(job)
    return [f"{job}#{shard:02d}" for shard in range(shards)] if shards else [job]


def action_sk(job: str, action: str) -> str:
    return f"DUE#{job}#{action}"


def scheduled_action(account_id: str, job: str, action: str, due_at: datetime) -> ScheduledAction:
    """A due item (not yet saved); the job deletes it in the transaction that carries out the action."""
    return ScheduledAction(
        account_pk(account_id),
        action_sk(job, action),
        account_id=account_id,
        action=action,
        due_job=due_key(job, account_id),
        due_at=utc_iso(due_at),
    )


def due_actions(job: str, now: datetime, page_size: int = 200) -> Iterator[ScheduledAction]:
    """What is due for `job` up to `now`: reads only due items, so a sweep costs what is due."""
    for key in due_keys(job):
        for item in ScheduledAction.due_index.query(key, ScheduledAction.due_at <= utc_iso(now), page_size=page_size):
            if isinstance(item, ScheduledAction):
                yield item


def drop_action(action: ScheduledAction) -> None:
    """Remove a due item whose reason went away (the trial was converted, the account reactivated)."""
    action.delete(condition=ScheduledAction.pk.exists())


BILLING_JOB = "billing"
BILLING_CURSOR = "close-month"


def billing_cursor(account_id: str, moment: datetime) -> ScheduledAction:
    """The due item that wakes the billing job for this account when a month has ended."""
    return scheduled_action(account_id, BILLING_JOB, BILLING_CURSOR, moment)


def first_billing_moment(paid_from: date, zone: ZoneInfo) -> datetime:
    """The end of paid_from's month: the first moment there is a month to bill."""
    # Here, not at import: every module that queues mail imports this one, and the billing rules
    # package is ~20 ms of a cold start that only a conversion or the billing job needs.
    from shared.rules.billing import BillingMonth

    return start_of_day(BillingMonth.of(paid_from).next().first_day, zone)
