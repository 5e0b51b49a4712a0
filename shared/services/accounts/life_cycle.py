"""The life-cycle job's decisions (SPEC §2, §5): which due action still applies, and what it does.

A cancellation taking effect deactivates; a deletion warning mails the admin; a purge deletes the
account but for its invoices. The store does the loading and the one transaction of each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.policy import Policy
from shared.rules.accounts.life_cycle import life_cycle_action_applies

# The actions that delete the account, and the reason its tombstone keeps.
PURGE_REASONS = {"purge-unverified": "unverified signup", "purge": "retention period ended"}


class DueAction(Protocol):
    """A scheduled action as the job found it in the due index."""

    @property
    def account_id(self) -> str: ...
    @property
    def action(self) -> str: ...


class LifeCycleAccount(Protocol):
    @property
    def state(self) -> str: ...


class LifeCycleStore(Protocol):
    """The storage the life-cycle job needs; DynamoDB's is life_cycle_store.LifeCycleTable."""

    def get_account(self, account_id: str) -> LifeCycleAccount | None: ...

    def account_partition(self, account_id: str) -> tuple[LifeCycleAccount | None, list[Any]]:
        """The account (None: gone) and every item of its partition, read together."""
        ...

    def drop(self, action: DueAction) -> None: ...

    def purge(
        self, account_id: str, reason: str, now: datetime, account: LifeCycleAccount | None, items: list[Any]
    ) -> None: ...

    def deactivate(
        self, action: DueAction, account: LifeCycleAccount, reason: str, now: datetime, expected_state: str
    ) -> None: ...

    def warn_of_deletion(self, action: DueAction, account: LifeCycleAccount, now: datetime) -> None: ...

    def remind_of_trial_end(self, action: DueAction, account: LifeCycleAccount, days: int, now: datetime) -> None: ...


def act_on_life_cycle_action(action: DueAction, now: datetime, *, store: LifeCycleStore | None = None) -> str | None:
    """Carry out one due life-cycle action; what it did, or None if its reason went away (dropped)."""
    store = store or life_cycle_table()
    reason = PURGE_REASONS.get(action.action)
    items: list[Any] = []
    if reason is not None:
        # A purge reads the whole partition anyway: the account comes with it, not from a second read.
        account, items = store.account_partition(action.account_id)
    else:
        account = store.get_account(action.account_id)
    if not life_cycle_action_applies(action.action, account.state if account else None):
        store.drop(action)  # withdrawn, reactivated or deleted meanwhile
        return None
    if reason is not None:
        store.purge(action.account_id, reason, now, account, items)
        return "unverified signups deleted" if action.action == "purge-unverified" else "deleted"
    assert account is not None  # the rule admits only an existing account for the others
    if action.action == "cancellation-effective":
        store.deactivate(action, account, "cancellation", now, expected_state="customer")
        return "deactivated by cancellation"
    store.warn_of_deletion(action, account, now)
    return "warned of deletion"


# Loaded on first use, so importing the use case (and its unit tests) needs no settings or AWS.
def _policy() -> Policy:
    from shared.policy import get_policy

    return get_policy()


def life_cycle_table() -> LifeCycleStore:
    from shared.services.accounts.life_cycle_store import LifeCycleTable

    return LifeCycleTable(_policy())
