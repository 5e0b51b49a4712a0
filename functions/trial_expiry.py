"""The trial-expiry job: reminder mails before the end, deactivation at the end of day 30."""

from __future__ import annotations

from datetime import datetime

from functions.sweep import drop_stale, sweep
from shared.jobs import JobResult, ProgressCallback
from shared.policy import get_policy
from shared.storage import lifecycle
from shared.storage.models import Account, ScheduledAction

JOB_NAME = "trial-expiry"


def _act(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    policy = get_policy()
    if account is None or account.state != "trial":
        drop_stale(action)
        return None
    if action.action.startswith("reminder-"):
        days = int(action.action.removeprefix("reminder-"))
        lifecycle.send_trial_reminder(action, account, days, now, policy)
        return f"reminded {days} days before"
    if action.action == "expire":
        lifecycle.deactivate(action, account, "trial", now, policy, expected_state="trial")
        return "deactivated"
    raise ValueError(f"unknown trial-expiry action {action.action!r}")


def run(now: datetime, progress: ProgressCallback | None = None) -> JobResult:
    return sweep(JOB_NAME, _act, now, progress)
