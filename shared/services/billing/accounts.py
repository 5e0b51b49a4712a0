"""Billing of an account: read its partition, decide what is owed with the rules, commit it in one transaction.

"Billed minus billable" and where the billing cursor goes are decided here (with shared.rules.billing);
storage only reads the partition and writes the group's invoices, mails, counter and cursors at once.
The store is a parameter so the use case runs against in-memory fakes as well as DynamoDB.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules import billing as rules
from shared.rules.billing.mandates import mandate_for_invoice
from shared.rules.clock import local_day
from shared.storage import billing as storage
from shared.storage.billing import AccountBill, BillingSnapshot, CounterCache


class BillingStore(Protocol):
    """What billing needs of storage (shared/storage/billing.py is the real one)."""

    def load_snapshot(self, account_id: str) -> BillingSnapshot | None: ...

    def commits(self, bills: list[AccountBill]) -> list[list[AccountBill]]: ...

    def commit_invoices(
        self, group: list[AccountBill], today: date, now: datetime, policy: Policy, counters: CounterCache
    ) -> dict[str, list[str]]: ...


class DynamoBillingStore:
    """The store of the deployed service: shared/storage/billing.py on DynamoDB."""

    def load_snapshot(self, account_id: str) -> BillingSnapshot | None:
        return storage.load_snapshot(account_id)

    def commits(self, bills: list[AccountBill]) -> list[list[AccountBill]]:
        return storage.commits(bills)

    def commit_invoices(
        self, group: list[AccountBill], today: date, now: datetime, policy: Policy, counters: CounterCache
    ) -> dict[str, list[str]]:
        from shared.services.billing.mails import BillingMails

        return storage.commit_invoices(group, today, now, policy, counters, BillingMails(policy))


def today_in(now: datetime, policy: Policy) -> date:
    """The company's calendar day at `now`: the day billing closes months for."""
    return local_day(now, ZoneInfo(policy.company_time_zone))


def account_bill(
    snapshot: BillingSnapshot, today: date, terms: rules.BillingTerms, creditor_id: str = ""
) -> AccountBill:
    """What should be billed minus what was billed: a draft for each missing month, oldest first,
    when the billing job must look at the account again, and the live mandate its invoices are debited
    under (`creditor_id`: ours, from the policy; without it no invoice names a direct debit)."""
    account = snapshot.account
    cursor_due_at = rules.next_billing_moment(storage.billing_ends_on(account), today, ZoneInfo(terms.time_zone))
    if account.paid_from is None:
        return AccountBill(snapshot, (), cursor_due_at)
    buyer = storage.billing_account(account)
    due = rules.billable_months(buyer.paid_from, today, buyer.billing_ends_on)
    missing = rules.months_to_bill(due, snapshot.billed_months)
    if missing and not buyer.has_billing_address:
        # §14 UStG: no invoice without the address. The months stay unbilled (billed minus billable finds
        # them again once the address exists) and the account is asked for it (storage: once a month).
        return AccountBill(snapshot, (), cursor_due_at, asks_for_address=True)
    drafts = tuple(rules.compute_invoice_draft(buyer, snapshot.history, month, terms) for month in missing)
    return AccountBill(snapshot, drafts, cursor_due_at, direct_debit=_direct_debit(snapshot, creditor_id))


def _direct_debit(snapshot: BillingSnapshot, creditor_id: str) -> rules.DirectDebitMandate | None:
    mandate = snapshot.mandate
    if mandate is None:
        return None
    return mandate_for_invoice(mandate.reference, mandate.iban, mandate.revoked_at is not None, creditor_id)


def bill_accounts(
    account_ids: list[str],
    today: date,
    now: datetime,
    policy: Policy,
    counters: CounterCache,
    terms: rules.BillingTerms,
    store: BillingStore | None = None,
) -> dict[str, list[str]]:
    """Bill a batch of accounts: read each once, then commit all their invoices in as few transactions as fit.

    Returns the invoice numbers issued per account (empty: nothing was missing, or another worker
    issued them).
    """
    store = store or DynamoBillingStore()
    bills = []
    for account_id in account_ids:
        snapshot = store.load_snapshot(account_id)
        if snapshot is not None:
            bills.append(account_bill(snapshot, today, terms, policy.billing.direct_debit.creditor_id))
    issued: dict[str, list[str]] = {account_id: [] for account_id in account_ids}
    for group in store.commits(bills):
        for account_id, numbers in store.commit_invoices(group, today, now, policy, counters).items():
            issued[account_id] += numbers
    return issued


def bill_accounts_at(
    account_ids: list[str], now: datetime, counters: CounterCache | None = None
) -> dict[str, list[str]]:
    """The work item (on AWS: an SQS batch) with the process's policy: the invoice numbers issued per account."""
    from shared.derived import billing_terms
    from shared.policy import get_policy

    policy = get_policy()
    return bill_accounts(account_ids, today_in(now, policy), now, policy, counters or CounterCache(), billing_terms())
