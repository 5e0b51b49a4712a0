"""How a batch of accounts' invoices is packed into transactions (shared/storage/billing.commits): no database."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from shared.rules.billing import BillingHistory, InvoiceDraft
from shared.storage.billing import ITEMS_PER_TRANSACTION, AccountBill, BillingSnapshot, commits
from shared.storage.models import Account


def _bill(account_number: int, months: int) -> AccountBill:
    account = Account(f"ACCOUNT#a{account_number}", "ACCOUNT", account_id=f"a{account_number}")
    snapshot = BillingSnapshot(account, BillingHistory([], [], [], []))
    # Packing looks at how many drafts there are, not into them: labels stand in for the drafts.
    drafts = tuple(cast(InvoiceDraft, f"a{account_number}-m{m}") for m in range(months))
    return AccountBill(snapshot, drafts, None)


def _drafts(group: list[AccountBill]) -> list[Any]:
    return [draft for bill in group for draft in bill.drafts]


@given(st.lists(st.integers(min_value=0, max_value=120), max_size=40))
def test_every_transaction_fits_and_keeps_the_order(months_per_account: list[int]) -> None:
    bills = [_bill(n, months) for n, months in enumerate(months_per_account)]
    groups = commits(bills)
    for group in groups:
        assert 1 + sum(bill.items for bill in group) <= ITEMS_PER_TRANSACTION  # the counter is the +1
    assert [d for group in groups for d in _drafts(group)] == [d for bill in bills for d in bill.drafts]
    for number in range(len(bills)):
        parts = [part for group in groups for part in group if part.account_id == f"a{number}"]
        assert [part.moves_cursor for part in parts] == [False] * (len(parts) - 1) + [True]  # the cursor moves last


def test_twenty_five_accounts_owing_one_month_share_one_transaction() -> None:
    groups = commits([_bill(n, 1) for n in range(25)])
    assert [len(group) for group in groups] == [25]  # 75 items and the counter


def test_an_account_owing_65_months_is_split_oldest_first() -> None:
    groups = commits([_bill(0, 65), _bill(1, 1)])
    assert [[len(b.drafts) for b in group] for group in groups] == [[49], [16, 1]]
