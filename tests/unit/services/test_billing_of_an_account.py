"""Billing of an account (shared/services/billing/accounts.py) against an in-memory store: no database.

The fake keeps what the real store would hold (the partition snapshot, the issued months, the cursor)
and records each commit, so the use case's decisions - which months, which cursor, how many commits -
are checked without DynamoDB. The real store is exercised by tests/functional/test_billing_*.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from shared.derived import billing_terms
from shared.policy import Policy, get_policy
from shared.rules.billing import BillingHistory, EditionChange, SeatEvent
from shared.services.billing.accounts import account_bill, bill_accounts
from shared.storage.billing import AccountBill, BillingSnapshot, CounterCache, commits
from shared.storage.models import Account

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 03:00 in Berlin on 1 June: Jan..May have ended
TODAY = date(2026, 6, 1)
NEXT_CURSOR = datetime(2026, 7, 1, tzinfo=BERLIN)


def _account(account_id: str, paid_from: str | None, **values: str) -> Account:
    return Account(
        f"ACCOUNT#{account_id}", "ACCOUNT", account_id=account_id, company_name="Acme GmbH", country="DE",
        state=values.pop("state", "active"), paid_from=paid_from, language="en",
        street="Hauptstraße 5", postcode="70173", city="Stuttgart", **values,
    )  # fmt: skip


def _history() -> BillingHistory:
    start = datetime(2025, 12, 1, tzinfo=BERLIN)
    return BillingHistory(
        seat_events=[SeatEvent("u1", "Ada", True, start)],
        edition_changes=[EditionChange("team", start)],
    )


@dataclass
class FakeBillingStore:
    """The partitions in memory; a commit issues numbers from one counter and moves the cursors."""

    snapshots: dict[str, BillingSnapshot]
    committed: list[list[AccountBill]] = field(default_factory=list)
    cursors: dict[str, datetime | None] = field(default_factory=dict)
    last_number: int = 0

    def load_snapshot(self, account_id: str) -> BillingSnapshot | None:
        return self.snapshots.get(account_id)

    def commits(self, bills: list[AccountBill]) -> list[list[AccountBill]]:
        return commits(bills)

    def commit_invoices(
        self, group: list[AccountBill], today: date, now: datetime, policy: Policy, counters: CounterCache
    ) -> dict[str, list[str]]:
        self.committed.append(group)
        issued: dict[str, list[str]] = {}
        for bill in group:
            numbers = issued.setdefault(bill.account_id, [])
            for draft in bill.drafts:
                self.last_number += 1
                numbers.append(f"{today.year}-{self.last_number:06d}")
                self.snapshots[bill.account_id].billed_months.add(str(draft.month))
            if bill.moves_cursor:
                self.cursors[bill.account_id] = bill.cursor_due_at
        return issued


def _bill(store: FakeBillingStore, *account_ids: str) -> dict[str, list[str]]:
    return bill_accounts(list(account_ids), TODAY, NOW, get_policy(), CounterCache(), billing_terms(), store)


def test_every_ended_month_is_billed_once_and_the_cursor_waits_for_the_running_month() -> None:
    store = FakeBillingStore({"a1": BillingSnapshot(_account("a1", "2026-01-01"), _history())})
    assert _bill(store, "a1") == {"a1": [f"2026-{n:06d}" for n in range(1, 6)]}
    assert [str(d.month) for group in store.committed for bill in group for d in bill.drafts] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
    ]  # fmt: skip
    assert store.cursors == {"a1": NEXT_CURSOR}
    assert _bill(store, "a1") == {"a1": []}  # billed minus billable is nothing now
    assert store.last_number == 5


def test_only_the_missing_months_are_drafted() -> None:
    snapshot = BillingSnapshot(_account("a1", "2026-01-01"), _history(), billed_months={"2026-01", "2026-03"})
    bill = account_bill(snapshot, TODAY, billing_terms())
    assert [str(d.month) for d in bill.drafts] == ["2026-02", "2026-04", "2026-05"]
    assert bill.cursor_due_at == NEXT_CURSOR


def test_a_cancelled_account_is_billed_to_its_last_paid_day_and_its_cursor_goes() -> None:
    account = _account("a1", "2026-02-01")
    account.cancellation = None
    account.state = "deactivated"
    account.deactivated_on = "2026-04-01"  # the last paid day is 31 March
    store = FakeBillingStore({"a1": BillingSnapshot(account, _history())})
    assert len(_bill(store, "a1")["a1"]) == 2  # February and March
    assert store.cursors == {"a1": None}


def test_an_account_without_subscription_owes_nothing_and_an_unknown_one_is_skipped() -> None:
    store = FakeBillingStore({"trial": BillingSnapshot(_account("trial", None), BillingHistory())})
    assert _bill(store, "trial", "missing") == {"trial": [], "missing": []}
    assert store.cursors == {"trial": NEXT_CURSOR}
    assert [bill.account_id for group in store.committed for bill in group] == ["trial"]


def test_a_batch_of_accounts_shares_one_commit() -> None:
    store = FakeBillingStore(
        {f"a{n}": BillingSnapshot(_account(f"a{n}", "2026-05-01"), _history()) for n in range(25)}
    )
    issued = _bill(store, *(f"a{n}" for n in range(25)))
    assert len(store.committed) == 1
    assert sorted(number for numbers in issued.values() for number in numbers) == [
        f"2026-{n:06d}" for n in range(1, 26)
    ]
