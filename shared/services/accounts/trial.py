"""The trial-expiry job's decisions (SPEC §2): reminders before the end, deactivation at the end."""

from __future__ import annotations

from datetime import datetime

from shared.services.accounts.life_cycle import DueAction, LifeCycleStore, life_cycle_table

REMINDER_PREFIX = "reminder-"


def act_on_trial_action(action: DueAction, now: datetime, *, store: LifeCycleStore | None = None) -> str | None:
    """Carry out one due trial action; None if the account is no longer in its trial (dropped)."""
    store = store or life_cycle_table()
    account = store.get_account(action.account_id)
    if account is None or account.state != "trial":
        store.drop(action)  # converted, or gone
        return None
    if action.action.startswith(REMINDER_PREFIX):
        days = int(action.action.removeprefix(REMINDER_PREFIX))
        store.remind_of_trial_end(action, account, days, now)
        return f"reminded {days} days before"
    if action.action == "expire":
        store.deactivate(action, account, "trial", now, expected_state="trial")
        return "deactivated"
    raise ValueError(f"unknown trial-expiry action {action.action!r}")
