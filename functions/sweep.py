"""The loop every due-driven job shares: read what is due, act on each, count, never stop on one failure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.jobs import JobResult, ProgressCallback
from shared.observability import logger
from shared.storage.accounts import get_account
from shared.storage.db import ConditionFailed
from shared.storage.schedule import drop_action, due_actions

# An action handler returns what it did (counted in the summary), or None if there was nothing to do.
ActionHandler = Callable[[Any, Any, datetime], str | None]  # (scheduled action, its account or None, now)
# A use case that loads what it needs itself: (scheduled action, now).
DueActionService = Callable[[Any, datetime], str | None]


def sweep(job: str, handler: ActionHandler, now: datetime, progress: ProgressCallback | None) -> JobResult:
    """Each due action with its account, read here (the jobs whose use case does not read it itself)."""
    return sweep_due(job, lambda action, at: handler(action, get_account(action.account_id), at), now, progress)


def sweep_due(job: str, service: DueActionService, now: datetime, progress: ProgressCallback | None) -> JobResult:
    result = JobResult(job)
    for action in due_actions(job, now):
        try:
            outcome = service(action, now)
        except ConditionFailed:
            # Someone else (another run, or the tenant) changed it first: nothing left to do.
            result.skipped += 1
            continue
        except Exception:
            logger.exception(
                "scheduled action failed", extra={"job": job, "account_id": action.account_id, "action": action.action}
            )
            result.failed += 1
            continue
        if outcome is None:
            result.skipped += 1
        else:
            result.done += 1
            result.count(outcome)
        if progress:
            progress(result.done + result.skipped + result.failed, None)
    return result


def drop_stale(action: Any) -> None:
    """An action whose reason went away (the trial was converted, the account reactivated)."""
    drop_action(action)
