"""The life-cycle and trial jobs' decisions with an in-memory store: which action applies, what it does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.rules.accounts.life_cycle import UnknownLifeCycleAction
from shared.services.accounts.life_cycle import act_on_life_cycle_action
from shared.services.accounts.trial import act_on_trial_action

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Due:
    account_id: str
    action: str


@dataclass(frozen=True)
class FakeAccount:
    account_id: str
    state: str


@dataclass
class FakeLifeCycle:
    """One account (or none) and its partition; every write and read is recorded by name."""

    account: FakeAccount | None
    items: list[Any] = field(default_factory=list)
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def get_account(self, account_id: str) -> FakeAccount | None:
        self.calls.append(("get_account", account_id))
        return self.account

    def account_partition(self, account_id: str) -> tuple[FakeAccount | None, list[Any]]:
        self.calls.append(("account_partition", account_id))
        return self.account, self.items

    def drop(self, action: Due) -> None:
        self.calls.append(("drop", action.action))

    def purge(self, account_id: str, reason: str, now: datetime, account: Any, items: list[Any]) -> None:
        self.calls.append(("purge", account_id, reason, account, tuple(items)))

    def deactivate(self, action: Due, account: Any, reason: str, now: datetime, expected_state: str) -> None:
        self.calls.append(("deactivate", reason, expected_state))

    def warn_of_deletion(self, action: Due, account: Any, now: datetime) -> None:
        self.calls.append(("warn_of_deletion", account.account_id))

    def remind_of_trial_end(self, action: Due, account: Any, days: int, now: datetime) -> None:
        self.calls.append(("remind", days))


def _writes(store: FakeLifeCycle) -> list[tuple[Any, ...]]:
    return [call for call in store.calls if call[0] not in {"get_account", "account_partition"}]


def test_a_purge_reads_the_partition_once_and_deletes_with_what_it_read() -> None:
    account = FakeAccount("acc_1", "deactivated")
    store = FakeLifeCycle(account, items=["ACCOUNT", "USER#1", "INVOICE#2026-02"])
    outcome = act_on_life_cycle_action(Due("acc_1", "purge"), NOW, store=store)
    assert outcome == "deleted"
    assert store.calls == [
        ("account_partition", "acc_1"),
        ("purge", "acc_1", "retention period ended", account, ("ACCOUNT", "USER#1", "INVOICE#2026-02")),
    ]


@pytest.mark.parametrize("state", ["trial", "customer"])
def test_a_live_account_is_never_purged_its_stale_purge_is_dropped(state: str) -> None:
    store = FakeLifeCycle(FakeAccount("acc_1", state))
    assert act_on_life_cycle_action(Due("acc_1", "purge"), NOW, store=store) is None
    assert _writes(store) == [("drop", "purge")]


def test_a_verified_account_is_not_deleted_as_an_unverified_signup() -> None:
    store = FakeLifeCycle(FakeAccount("acc_1", "trial"))
    assert act_on_life_cycle_action(Due("acc_1", "purge-unverified"), NOW, store=store) is None
    assert _writes(store) == [("drop", "purge-unverified")]


def test_an_unverified_signup_is_deleted_with_its_reason() -> None:
    store = FakeLifeCycle(FakeAccount("acc_1", "pending_verification"))
    assert act_on_life_cycle_action(Due("acc_1", "purge-unverified"), NOW, store=store) == "unverified signups deleted"
    assert _writes(store)[0][:3] == ("purge", "acc_1", "unverified signup")


def test_a_purge_of_an_account_already_gone_still_clears_what_is_left() -> None:
    store = FakeLifeCycle(None, items=["DUE#lifecycle#purge"])
    assert act_on_life_cycle_action(Due("acc_1", "purge"), NOW, store=store) == "deleted"
    assert _writes(store) == [("purge", "acc_1", "retention period ended", None, ("DUE#lifecycle#purge",))]


def test_a_cancellation_deactivates_only_a_customer() -> None:
    customer = FakeLifeCycle(FakeAccount("acc_1", "customer"))
    assert act_on_life_cycle_action(Due("acc_1", "cancellation-effective"), NOW, store=customer) == (
        "deactivated by cancellation"
    )
    assert _writes(customer) == [("deactivate", "cancellation", "customer")]
    reactivated_trial = FakeLifeCycle(FakeAccount("acc_1", "trial"))
    assert act_on_life_cycle_action(Due("acc_1", "cancellation-effective"), NOW, store=reactivated_trial) is None
    assert _writes(reactivated_trial) == [("drop", "cancellation-effective")]


def test_a_deletion_warning_goes_only_to_a_deactivated_account() -> None:
    store = FakeLifeCycle(FakeAccount("acc_1", "deactivated"))
    assert act_on_life_cycle_action(Due("acc_1", "deletion-warning"), NOW, store=store) == "warned of deletion"
    assert ("get_account", "acc_1") in store.calls
    assert _writes(store) == [("warn_of_deletion", "acc_1")]


def test_an_unknown_action_fails_closed_and_touches_nothing() -> None:
    store = FakeLifeCycle(FakeAccount("acc_1", "deactivated"))
    with pytest.raises(UnknownLifeCycleAction):
        act_on_life_cycle_action(Due("acc_1", "purge-everything"), NOW, store=store)
    assert _writes(store) == []


def test_the_trial_job_reminds_and_expires_only_a_trial() -> None:
    store = FakeLifeCycle(FakeAccount("acc_1", "trial"))
    assert act_on_trial_action(Due("acc_1", "reminder-7"), NOW, store=store) == "reminded 7 days before"
    assert act_on_trial_action(Due("acc_1", "expire"), NOW, store=store) == "deactivated"
    assert _writes(store) == [("remind", 7), ("deactivate", "trial", "trial")]
    converted = FakeLifeCycle(FakeAccount("acc_1", "customer"))
    assert act_on_trial_action(Due("acc_1", "expire"), NOW, store=converted) is None
    assert _writes(converted) == [("drop", "expire")]


def test_an_unknown_trial_action_is_an_error() -> None:
    store = FakeLifeCycle(FakeAccount("acc_1", "trial"))
    with pytest.raises(ValueError, match="unknown trial-expiry action"):
        act_on_trial_action(Due("acc_1", "extend"), NOW, store=store)
    assert _writes(store) == []
