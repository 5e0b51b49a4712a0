"""The SLA watch: escalates overdue first responses, sends status updates, closes solved tickets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from functions.sweep import drop_stale, sweep
from shared.jobs import JobResult, ProgressCallback
from shared.policy import get_policy
from shared.rules.support.states import OPEN_STATES
from shared.storage import support
from shared.storage.keys import support as keys
from shared.storage.models import Account, ScheduledAction, Ticket, account_pk
from shared.storage.tickets import CLOSE_JOB, FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB

JOB_NAME = "sla-watch"


def _ticket(action: ScheduledAction) -> Ticket | None:
    try:
        return Ticket.get(account_pk(action.account_id), keys.ticket_sk(action.action), consistent_read=True)
    except Ticket.DoesNotExist:
        return None


def _first_response(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    ticket = _ticket(action)
    if account is None or ticket is None or ticket.first_response_at is not None or ticket.state not in OPEN_STATES:
        drop_stale(action)
        return None
    support.escalate(action, ticket, account, now, get_policy())
    return "escalated"


def _status_update(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    ticket = _ticket(action)
    if account is None or ticket is None or ticket.state not in OPEN_STATES:
        drop_stale(action)
        return None
    support.status_update(action, ticket, account, now, get_policy())
    return "status updates sent"


def _close(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    ticket = _ticket(action)
    if ticket is None or ticket.state != "solved":
        drop_stale(action)
        return None
    support.auto_close(action, ticket, now)
    return "closed"


WATCHES: dict[str, Callable[[ScheduledAction, Account | None, datetime], str | None]] = {
    FIRST_RESPONSE_JOB: _first_response,
    STATUS_UPDATE_JOB: _status_update,
    CLOSE_JOB: _close,
}


def run(now: datetime, progress: ProgressCallback | None = None) -> JobResult:
    result = JobResult(JOB_NAME)
    for job, handler in WATCHES.items():
        part = sweep(job, handler, now, progress)
        result.done += part.done
        result.skipped += part.skipped
        result.failed += part.failed
        for what, count in part.details.items():
            result.count(what, count)
    return result
