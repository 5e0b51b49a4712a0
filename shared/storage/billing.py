"""Billing in storage: an account's billing history in one Query, and issuing invoices exactly once.

An invoice is issued in one transaction with the year's counter and its mail:
the invoice key (one per account and month) makes a second invoice for the
month impossible, and the counter's condition (it still holds the number we
read) makes numbers gapless even with overlapping workers. A crash before the
commit leaves nothing; after it, the next run finds the month billed.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules import billing as rules
from shared.rules.clock import local_day, start_of_day
from shared.storage.db import ConditionFailed, Contended, transaction
from shared.storage.lifecycle import mail_context
from shared.storage.models import (
    Account,
    AppSubscriptionItem,
    BillableHoursEntry,
    CocoonItem,
    EditionChange,
    InvoiceCounter,
    InvoiceDocument,
    ScheduledAction,
    SeatEvent,
    User,
    account_pk,
)
from shared.storage.outbox import queue_mail
from shared.storage.schedule import BILLING_CURSOR, BILLING_JOB, action_sk, billing_cursor


@dataclass
class BillingSnapshot:
    """An account's partition, read once: the account, its history and the months already billed."""

    account: Account
    history: rules.BillingHistory
    billed_months: set[str] = field(default_factory=set)
    invoices: list[InvoiceDocument] = field(default_factory=list)
    cursor: ScheduledAction | None = None


def load_snapshot(account_id: str) -> BillingSnapshot | None:
    items = list(CocoonItem.query(account_pk(account_id)))
    account = next((item for item in items if isinstance(item, Account)), None)
    if account is None:
        return None
    names = {item.user_id: item.name for item in items if isinstance(item, User)}
    history = rules.BillingHistory(
        seat_events=[
            rules.SeatEvent(
                user_id=i.user_id, user_name=names.get(i.user_id, i.user_id), activated=i.activated, at=i.at
            )
            for i in items
            if isinstance(i, SeatEvent)
        ],
        edition_changes=[
            rules.EditionChange(edition=i.edition, effective_at=i.effective_at)
            for i in items
            if isinstance(i, EditionChange)
        ],
        app_subscriptions=[
            rules.AppSubscription(
                app_id=i.app_id, subscribed_at=i.subscribed_at, cancelled_effective_at=i.cancelled_effective_at
            )
            for i in items
            if isinstance(i, AppSubscriptionItem)
        ],
        billable_hours=[
            rules.BillableHours(
                month=rules.BillingMonth.parse(i.month), hours=Decimal(i.hours), description=i.description
            )
            for i in items
            if isinstance(i, BillableHoursEntry)
        ],
    )
    invoices = [item for item in items if isinstance(item, InvoiceDocument)]
    cursor = next(
        (i for i in items if isinstance(i, ScheduledAction) and i.sk == action_sk(BILLING_JOB, BILLING_CURSOR)), None
    )
    return BillingSnapshot(account, history, {i.month for i in invoices}, invoices, cursor)


def billing_account(account: Account) -> rules.BillingAccount:
    assert account.paid_from is not None
    return rules.BillingAccount(
        account_id=account.account_id,
        buyer_name=account.company_name,
        street=account.street or "",
        postcode=account.postcode or "",
        city=account.city or "",
        country=account.country,
        vat_id=account.vat_id,
        paid_from=date.fromisoformat(account.paid_from),
        billing_ends_on=billing_ends_on(account),
        language=account.language,
    )


def billing_ends_on(account: Account) -> date | None:
    """The last paid day: a cancellation's effective date, or the day before a deactivation."""
    if account.cancellation is not None:
        return date.fromisoformat(account.cancellation.effective_on)
    if account.state == "deactivated" and account.deactivated_on:
        return date.fromisoformat(account.deactivated_on) - timedelta(days=1)
    return None


class CounterCache:
    """The last invoice number this worker saw per year, so the happy path reads no counter."""

    def __init__(self) -> None:
        self.last: dict[int, int] = {}

    def expected(self, year: int) -> int:
        if year not in self.last:
            try:
                self.last[year] = int(
                    InvoiceCounter.get(f"COUNTER#INVOICE#{year}", "COUNTER", consistent_read=True).last_sequence
                )
            except InvoiceCounter.DoesNotExist:
                self.last[year] = 0
        return self.last[year]

    def forget(self, year: int) -> None:
        self.last.pop(year, None)


@dataclass(frozen=True)
class IssueOutcome:
    issued: list[str]  # invoice numbers
    already_billed: int


def bill_missing_months(
    snapshot: BillingSnapshot,
    today: date,
    now: datetime,
    policy: Policy,
    counters: CounterCache,
    terms: rules.BillingTerms,
) -> IssueOutcome:
    """Create exactly the invoices that are missing for ended months; move the cursor on."""
    account = snapshot.account
    zone = ZoneInfo(policy.company_time_zone)
    if account.paid_from is None:
        return IssueOutcome([], 0)
    buyer = billing_account(account)
    due = rules.billable_months(buyer.paid_from, today, buyer.billing_ends_on)
    missing = [month for month in due if str(month) not in snapshot.billed_months]
    issued: list[str] = []
    for index, month in enumerate(missing):
        draft = rules.compute_invoice_draft(buyer, snapshot.history, month, terms)
        is_last = index == len(missing) - 1
        number = _issue(account, draft, today, now, policy, counters, is_last, zone)
        if number:
            issued.append(number)
    if not missing:
        _advance_cursor(account, snapshot.cursor, today, zone)
    return IssueOutcome(issued, len(due) - len(missing))


def _next_cursor_moment(account: Account, today: date, zone: ZoneInfo) -> datetime | None:
    """When the billing job must look at the account again: when the running month ends, unless billing ended."""
    ends = billing_ends_on(account)
    running = rules.BillingMonth.of(today)
    if ends is not None and rules.BillingMonth.of(ends) < running:
        return None
    return start_of_day(running.next().first_day, zone)


def _cursor_ops(account: Account, cursor: ScheduledAction | None, today: date, zone: ZoneInfo) -> tuple[str, Any]:
    moment = _next_cursor_moment(account, today, zone)
    if moment is None:
        return ("delete", ScheduledAction(account_pk(account.account_id), action_sk(BILLING_JOB, BILLING_CURSOR)))
    return ("save", billing_cursor(account.account_id, moment))


def _advance_cursor(account: Account, cursor: ScheduledAction | None, today: date, zone: ZoneInfo) -> None:
    operation, item = _cursor_ops(account, cursor, today, zone)
    if operation == "delete":
        item.delete()
    else:
        item.save()


def _issue(
    account: Account,
    draft: rules.InvoiceDraft,
    today: date,
    now: datetime,
    policy: Policy,
    counters: CounterCache,
    move_cursor: bool,
    zone: ZoneInfo,
    attempts: int = 60,
) -> str | None:
    """Issue one invoice; None if another worker issued this month meanwhile."""
    year = today.year
    for attempt in range(attempts):
        if attempt:
            # Workers that collided on the counter retry at different moments.
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))  # noqa: S311
        sequence = counters.expected(year) + 1
        number = rules.format_invoice_number(year, sequence)
        invoice = rules.issue_invoice(
            draft, number=number, issued_on=today, payment_terms_days=policy.billing.payment_terms_days
        )
        document = rules.invoice_to_json(invoice)
        item = InvoiceDocument(
            account_pk(account.account_id),
            f"INVOICE#{draft.month}",
            account_id=account.account_id,
            number=number,
            month=str(draft.month),
            issued_on=today.isoformat(),
            document=document,
            lookup_key=f"INVOICE#{number}",
        )
        mail = queue_mail(
            mail_id=f"invoice-{number}",
            account_id=account.account_id,
            recipient=account.billing_email or account.admin_email,
            template="invoice",
            language=account.language,
            context=mail_context(
                account,
                policy,
                number=number,
                month=str(draft.month),
                total=document["total"],
                currency=document["currency"],
                due_on=document["due_on"],
            ),
            now=now,
        )
        counter = InvoiceCounter(f"COUNTER#INVOICE#{year}", "COUNTER", year=year, last_sequence=sequence)
        counter_unchanged = (
            InvoiceCounter.pk.does_not_exist() if sequence == 1 else InvoiceCounter.last_sequence == sequence - 1
        )
        try:
            with transaction() as tx:
                tx.save(counter, condition=counter_unchanged)
                tx.save(item, condition=InvoiceDocument.pk.does_not_exist())
                tx.save(mail, condition=CocoonItem.pk.does_not_exist())
                if move_cursor:  # the last missing month: the cursor moves on in the same commit
                    operation, cursor_item = _cursor_ops(account, None, today, zone)
                    getattr(tx, operation)(cursor_item)
        except Contended:
            counters.forget(year)
            continue
        except ConditionFailed as exc:
            if (1 in exc.failed or 2 in exc.failed) and _month_billed(account.account_id, str(draft.month)):
                counters.forget(year)
                return None
            counters.forget(year)  # another worker took the number: read it again and retry
            continue
        counters.last[year] = sequence
        return number
    raise RuntimeError(f"could not assign an invoice number after {attempts} attempts")


def _month_billed(account_id: str, month: str) -> bool:
    try:
        InvoiceDocument.get(account_pk(account_id), f"INVOICE#{month}", consistent_read=True)
    except InvoiceDocument.DoesNotExist:
        return False
    return True


def list_invoices(account_id: str) -> list[InvoiceDocument]:
    return [
        item
        for item in InvoiceDocument.query(account_pk(account_id), InvoiceDocument.sk.startswith("INVOICE#"))
        if isinstance(item, InvoiceDocument)
    ]


def find_invoice(account_id: str, number: str) -> InvoiceDocument | None:
    for item in InvoiceDocument.lookup_index.query(f"INVOICE#{number}"):
        if isinstance(item, InvoiceDocument) and item.account_id == account_id:
            return item
    return None


def today_in(now: datetime, policy: Policy) -> date:
    return local_day(now, ZoneInfo(policy.company_time_zone))
