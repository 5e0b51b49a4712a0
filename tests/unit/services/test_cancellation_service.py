"""The cancellation use case with an in-memory store: its decisions, without a database."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

import pytest

from shared.derived import company_calendar
from shared.policy import get_policy
from shared.services.accounts import cancellation
from shared.services.accounts.errors import (
    AccountNotFound,
    CancellationNotWithdrawable,
    NoPendingCancellation,
    NotACustomer,
    ReceivedBeforeAccount,
    ReceivedInFuture,
    StaleState,
)

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a Tuesday in Berlin


@dataclass(frozen=True)
class Record:
    received_on: str
    effective_on: str
    channel: str


@dataclass(frozen=True)
class FakeAccount:
    account_id: str
    state: str
    cancellation: Record | None = None
    created_at: datetime = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


@dataclass
class FakeStore:
    accounts: dict[str, FakeAccount] = field(default_factory=dict)
    recorded: list[Record] = field(default_factory=list)
    race: FakeAccount | None = None  # what a parallel request committed just before ours
    effective_already: bool = False

    def get_account(self, account_id: str) -> FakeAccount | None:
        return self.accounts.get(account_id)

    def record(self, account: FakeAccount, received_on: date, effective_on: date, channel: str, now: datetime) -> Record:
        if self.race is not None:
            self.accounts[account.account_id] = self.race
            raise StaleState("a cancellation is already pending")
        record = Record(received_on.isoformat(), effective_on.isoformat(), channel)
        self.accounts[account.account_id] = replace(account, cancellation=record)
        self.recorded.append(record)
        return record

    def withdraw(self, account: FakeAccount, now: datetime) -> Record:
        if self.effective_already:
            raise StaleState("the cancellation has already taken effect or changed")
        assert account.cancellation is not None
        self.accounts[account.account_id] = replace(account, cancellation=None)
        return account.cancellation


def _cancel(store: FakeStore, account_id: str, received_on: date | None = None, channel: str = "app"):
    return cancellation.cancel(
        account_id, received_on, channel, NOW, store=store, policy=get_policy(), calendar=company_calendar()
    )


def test_a_customer_cancelling_today_ends_with_the_month_when_ten_working_days_remain() -> None:
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer")})
    outcome = _cancel(store, "acc_1")
    assert outcome.status == "recorded"
    assert store.recorded == [Record("2026-03-10", "2026-03-31", "app")]


def test_a_late_letter_ends_the_contract_a_month_later() -> None:
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer")})
    outcome = _cancel(store, "acc_1", date(2026, 2, 20), "letter")
    assert outcome.cancellation == Record("2026-02-20", "2026-03-31", "letter")


def test_a_trial_needs_no_cancellation_and_nothing_is_recorded() -> None:
    store = FakeStore({"acc_1": FakeAccount("acc_1", "trial")})
    assert _cancel(store, "acc_1").status == "not_needed"
    assert store.recorded == []


@pytest.mark.parametrize("state", ["pending_verification", "deactivated", "something_new"])
def test_an_account_without_a_contract_is_refused(state: str) -> None:
    store = FakeStore({"acc_1": FakeAccount("acc_1", state)})
    with pytest.raises(NotACustomer):
        _cancel(store, "acc_1")
    assert store.recorded == []


def test_an_unknown_account_is_not_found() -> None:
    with pytest.raises(AccountNotFound):
        _cancel(FakeStore(), "acc_nobody")


def test_a_pending_cancellation_is_answered_not_recorded_twice() -> None:
    pending = Record("2026-03-01", "2026-03-31", "app")
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer", pending)})
    outcome = _cancel(store, "acc_1", date(2026, 3, 9), "letter")
    assert (outcome.status, outcome.cancellation) == ("pending", pending)
    assert store.recorded == []


def test_a_day_of_receipt_in_the_future_is_refused() -> None:
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer")})
    with pytest.raises(ReceivedInFuture) as refused:
        _cancel(store, "acc_1", date(2026, 3, 11), "letter")
    assert refused.value.today == date(2026, 3, 10)
    assert store.recorded == []


def test_losing_a_race_answers_the_winners_cancellation() -> None:
    winner = Record("2026-03-10", "2026-03-31", "letter")
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer")}, race=FakeAccount("acc_1", "customer", winner))
    outcome = _cancel(store, "acc_1")
    assert (outcome.status, outcome.cancellation) == ("pending", winner)


def test_losing_a_race_to_something_else_is_not_hidden() -> None:
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer")}, race=FakeAccount("acc_1", "deactivated"))
    with pytest.raises(StaleState):
        _cancel(store, "acc_1")


def test_withdrawing_removes_the_pending_cancellation() -> None:
    pending = Record("2026-03-01", "2026-03-31", "app")
    account = FakeAccount("acc_1", "customer", pending)
    store = FakeStore({"acc_1": account})
    outcome = cancellation.withdraw(account, NOW, store=store)
    assert (outcome.status, outcome.cancellation) == ("withdrawn", pending)
    assert store.accounts["acc_1"].cancellation is None


def test_nothing_to_withdraw_is_refused() -> None:
    with pytest.raises(NoPendingCancellation):
        cancellation.withdraw(FakeAccount("acc_1", "customer"), NOW, store=FakeStore())
    with pytest.raises(NoPendingCancellation):
        cancellation.withdraw(None, NOW, store=FakeStore())


def test_a_cancellation_that_took_effect_can_no_longer_be_withdrawn() -> None:
    account = FakeAccount("acc_1", "customer", Record("2026-02-01", "2026-02-28", "app"))
    store = FakeStore({"acc_1": account}, effective_already=True)
    with pytest.raises(CancellationNotWithdrawable):
        cancellation.withdraw(account, NOW, store=store)


def test_the_deadline_table_is_the_rule_applied_to_each_month() -> None:
    table = cancellation.deadline_table(2026, policy=get_policy(), calendar=company_calendar())
    assert [d.month for d in table] == [f"2026-{m:02d}" for m in range(1, 13)]
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer")})
    february = table[1].last_day_of_receipt
    _cancel(store, "acc_1", february, "letter")
    assert store.recorded[-1].effective_on == "2026-02-28"


@pytest.mark.parametrize("received_on", [date(2026, 1, 4), date(1999, 12, 31), date(1, 1, 1)])
def test_a_day_of_receipt_before_the_account_existed_is_refused(received_on: date) -> None:
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer")})
    with pytest.raises(ReceivedBeforeAccount) as refused:
        _cancel(store, "acc_1", received_on, "letter")
    assert refused.value.created_on == date(2026, 1, 5)
    assert store.recorded == []


def test_a_letter_received_on_the_day_the_account_was_created_counts() -> None:
    store = FakeStore({"acc_1": FakeAccount("acc_1", "customer")})
    assert _cancel(store, "acc_1", date(2026, 1, 5), "letter").status == "recorded"
