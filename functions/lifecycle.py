"""The life-cycle job: cancellations taking effect, deletion warnings, deletions, unverified signups."""

from __future__ import annotations

from datetime import datetime

from functions.sweep import drop_stale, sweep
from shared.jobs import JobResult, ProgressCallback
from shared.policy import get_policy
from shared.rules.accounts.life_cycle import life_cycle_action_applies
from shared.storage import lifecycle
from shared.storage.models import Account, ScheduledAction

JOB_NAME = "lifecycle"


def _act(action: ScheduledAction, account: Account | None, now: datetime) -> str | None:
    policy = get_policy()
    if not life_cycle_action_applies(action.action, account.state if account else None):
        drop_stale(action)  # withdrawn, reactivated or deleted meanwhile
        return None
    if action.action == "purge-unverified":
        lifecycle.purge_account(action.account_id, "unverified signup", now, account)
        return "unverified signups deleted"
    if action.action == "purge":
        lifecycle.purge_account(action.account_id, "retention period ended", now, account)
        return "deleted"
    assert account is not None  # the rule admits only an existing account for the others
    if action.action == "cancellation-effective":
        lifecycle.deactivate(action, account, "cancellation", now, policy, expected_state="customer")
        return "deactivated by cancellation"
    lifecycle.send_deletion_warning(action, account, now, policy)
    return "warned of deletion"


def run(now: datetime, progress: ProgressCallback | None = None) -> JobResult:
    return sweep(JOB_NAME, _act, now, progress)
