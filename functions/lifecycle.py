"""The life-cycle job: cancellations taking effect, deletion warnings, deletions, unverified signups."""

from __future__ import annotations

from datetime import datetime

from functions.sweep import drop_stale, sweep
from shared.jobs import JobResult, ProgressCallback
from shared.policy import get_policy
from shared.storage import lifecycle
from shared.storage.models import Account, ScheduledAction

JOB_NAME = "lifecycle"


def _act(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    policy = get_policy()
    state = account.state if account else None
    if action.action == "purge-unverified":
        if state not in (None, "pending_verification"):
            drop_stale(action)
            return None
        lifecycle.purge_account(action.account_id, "unverified signup", now, account)
        return "unverified signups deleted"
    if action.action == "cancellation-effective":
        if account is None or state != "customer":
            drop_stale(action)
            return None
        lifecycle.deactivate(action, account, "cancellation", now, policy, expected_state="customer")
        return "deactivated by cancellation"
    if action.action == "deletion-warning":
        if account is None or state != "deactivated":
            drop_stale(action)
            return None
        lifecycle.send_deletion_warning(action, account, now, policy)
        return "warned of deletion"
    if action.action == "purge":
        if account is not None and state != "deactivated":
            drop_stale(action)
            return None
        lifecycle.purge_account(action.account_id, "retention period ended", now, account)
        return "deleted"
    raise ValueError(f"unknown lifecycle action {action.action!r}")


def run(now: datetime, progress: ProgressCallback | None = None) -> JobResult:
    return sweep(JOB_NAME, _act, now, progress)
