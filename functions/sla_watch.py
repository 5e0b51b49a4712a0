"""The SLA watch: escalates overdue first responses, sends status updates, closes solved tickets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from functions.sweep import drop_stale, sweep
from shared.jobs import JobResult, ProgressCallback
from shared.services.support import watch
from shared.storage.tickets import CLOSE_JOB, FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB

JOB_NAME = "sla-watch"

Watch = Callable[[Any, Any, datetime], str | None]


def _dropping_stale(decide: Watch) -> Watch:
    """A watch whose reason went away (ticket answered, closed, gone) is removed and counts as skipped."""

    def handler(action: Any, account: Any, now: datetime) -> str | None:
        outcome = decide(action, account, now)
        if outcome is None:
            drop_stale(action)
        return outcome

    return handler


WATCHES: dict[str, Watch] = {
    FIRST_RESPONSE_JOB: _dropping_stale(watch.first_response),
    STATUS_UPDATE_JOB: _dropping_stale(watch.status_update),
    CLOSE_JOB: _dropping_stale(watch.close),
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
    _tell_lead_of_risks(result, now)
    return result


def _tell_lead_of_risks(result: JobResult, now: datetime) -> None:
    """Tickets that became at risk since the last run: the support lead hears once per ticket and due time."""
    from shared.policy import get_policy
    from shared.services.support.notifications import tell_lead_of_risks

    told = tell_lead_of_risks(now, get_policy())
    if told:
        result.count("at risk told", told)
