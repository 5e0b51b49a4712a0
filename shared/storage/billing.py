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
    NumberReservation,
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
    reserved: dict[str, str] = field(default_factory=dict)  # month → invoice number reserved for it


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
    reserved = {i.month: i.number for i in items if isinstance(i, NumberReservation)}
    return BillingSnapshot(account, history, {i.month for i in invoices}, invoices, cursor, reserved)


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
class MonthToBill:
    """An ended month the account owes an invoice for, with its number once one is reserved."""

    snapshot: BillingSnapshot
    month: rules.BillingMonth
    number: str | None
    is_last: bool


def months_to_bill(snapshot: BillingSnapshot, today: date) -> list[MonthToBill]:
    """What should be billed minus what was billed: only the missing months, oldest first."""
    account = snapshot.account
    if account.paid_from is None:
        return []
    buyer = billing_account(account)
    due = rules.billable_months(buyer.paid_from, today, buyer.billing_ends_on)
    missing = [month for month in due if str(month) not in snapshot.billed_months]
    return [
        MonthToBill(snapshot, month, snapshot.reserved.get(str(month)), index == len(missing) - 1)
        for index, month in enumerate(missing)
    ]


def reserve_numbers(
    wanted: list[MonthToBill], year: int, counters: CounterCache, attempts: int = 60
) -> list[MonthToBill]:
    """Give the months their invoice numbers in one transaction with the year's counter.

    Each number is written as a reservation in the account's partition: if a run
    dies before the invoice is issued, the next run issues it with that number,
    so numbers stay gapless and a month is never numbered twice. One counter
    write per batch (not per invoice) keeps the counter from serialising workers.
    """
    pending = [item for item in wanted if item.number is None]
    numbered: list[MonthToBill] = []
    for start in range(0, len(pending), RESERVATIONS_PER_TRANSACTION):
        numbered += _reserve_chunk(pending[start : start + RESERVATIONS_PER_TRANSACTION], year, counters, attempts)
    return numbered


# A transaction holds 100 items: the counter, and per month its reservation and a check that it is unbilled.
RESERVATIONS_PER_TRANSACTION = 49


def _reserve_chunk(pending: list[MonthToBill], year: int, counters: CounterCache, attempts: int) -> list[MonthToBill]:
    for attempt in range(attempts):
        if not pending:
            return []
        if attempt:
            # Workers that collided on the counter retry at different moments.
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))  # noqa: S311
        first = counters.expected(year) + 1
        last = first + len(pending) - 1
        numbered = [
            MonthToBill(item.snapshot, item.month, rules.format_invoice_number(year, first + i), item.is_last)
            for i, item in enumerate(pending)
        ]
        counter = InvoiceCounter(f"COUNTER#INVOICE#{year}", "COUNTER", year=year, last_sequence=last)
        unchanged = InvoiceCounter.pk.does_not_exist() if first == 1 else InvoiceCounter.last_sequence == first - 1
        try:
            with transaction() as tx:
                tx.save(counter, condition=unchanged)
                for item in numbered:
                    account_id = item.snapshot.account.account_id
                    # Not billed meanwhile by another worker (whose reservation it then already consumed).
                    tx.condition_check(
                        InvoiceDocument,
                        account_pk(account_id),
                        f"INVOICE#{item.month}",
                        condition=InvoiceDocument.pk.does_not_exist(),
                    )
                    tx.save(
                        NumberReservation(
                            account_pk(account_id),
                            f"BILLED#{item.month}",
                            account_id=account_id,
                            month=str(item.month),
                            number=item.number,
                        ),
                        condition=NumberReservation.pk.does_not_exist(),
                    )
        except (Contended, ConditionFailed):
            counters.forget(year)
            # Another worker may have reserved or billed some of these months meanwhile: keep only the free ones.
            pending = [item for item in pending if not _month_reserved_or_billed(item)]
            continue
        counters.last[year] = last
        return numbered
    raise RuntimeError(f"could not reserve invoice numbers after {attempts} attempts")


def _month_reserved_or_billed(item: MonthToBill) -> bool:
    account_id = item.snapshot.account.account_id
    for sk in (f"BILLED#{item.month}", f"INVOICE#{item.month}"):
        try:
            CocoonItem.get(account_pk(account_id), sk, consistent_read=True)
        except CocoonItem.DoesNotExist:
            continue
        return True
    return False


def issue(item: MonthToBill, today: date, now: datetime, policy: Policy, terms: rules.BillingTerms) -> str | None:
    """Issue a reserved month's invoice with its mail (and move the cursor with the last one).

    The reservation stays as the month's proof of numbering (a month is reserved
    once, ever); the invoice key makes the issue itself happen once: of two
    workers holding the same reservation, one issues and the other finds it done.
    """
    assert item.number is not None
    account = item.snapshot.account
    zone = ZoneInfo(policy.company_time_zone)
    draft = rules.compute_invoice_draft(billing_account(account), item.snapshot.history, item.month, terms)
    invoice = rules.issue_invoice(
        draft, number=item.number, issued_on=today, payment_terms_days=policy.billing.payment_terms_days
    )
    document = rules.invoice_to_json(invoice)
    record = InvoiceDocument(
        account_pk(account.account_id),
        f"INVOICE#{draft.month}",
        account_id=account.account_id,
        number=item.number,
        month=str(draft.month),
        issued_on=today.isoformat(),
        document=document,
        lookup_key=f"INVOICE#{item.number}",
    )
    mail = queue_mail(
        mail_id=f"invoice-{item.number}",
        account_id=account.account_id,
        recipient=account.billing_email or account.admin_email,
        template="invoice",
        language=account.language,
        context=mail_context(
            account,
            policy,
            number=item.number,
            month=str(draft.month),
            total=document["total"],
            currency=document["currency"],
            due_on=document["due_on"],
        ),
        now=now,
    )
    try:
        with transaction() as tx:
            tx.save(record, condition=InvoiceDocument.pk.does_not_exist())
            tx.save(mail, condition=CocoonItem.pk.does_not_exist())
            if item.is_last:  # the last missing month: the cursor moves on in the same commit
                operation, cursor_item = _cursor_ops(account, None, today, zone)
                getattr(tx, operation)(cursor_item)
    except ConditionFailed:
        return None  # issued by another worker meanwhile
    return item.number


def bill_accounts(
    account_ids: list[str],
    today: date,
    now: datetime,
    policy: Policy,
    counters: CounterCache,
    terms: rules.BillingTerms,
) -> dict[str, list[str]]:
    """Bill a batch of accounts: read each once, reserve all their numbers at once, issue each invoice."""
    zone = ZoneInfo(policy.company_time_zone)
    wanted: list[MonthToBill] = []
    for account_id in account_ids:
        snapshot = load_snapshot(account_id)
        if snapshot is None:
            continue
        months = months_to_bill(snapshot, today)
        if months:
            wanted += months
        else:
            _advance_cursor(snapshot.account, snapshot.cursor, today, zone)
    reserved = {(i.snapshot.account.account_id, str(i.month)): i for i in reserve_numbers(wanted, today.year, counters)}
    issued: dict[str, list[str]] = {account_id: [] for account_id in account_ids}
    for item in wanted:
        key = (item.snapshot.account.account_id, str(item.month))
        ready = item if item.number is not None else reserved.get(key)
        if ready is None:
            continue  # reserved by another worker, which issues it
        number = issue(ready, today, now, policy, terms)
        if number:
            issued[key[0]].append(number)
    return issued


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
