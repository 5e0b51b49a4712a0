"""Billing in storage: an account's billing history in one Query, and issuing invoices exactly once.

A batch of accounts' invoices is issued in one transaction with the year's
counter, their mails and the accounts' moved billing cursors: the invoice key
(one per account and month) makes a second invoice for a month impossible, and
the counter's condition (it still holds the number we read) makes numbers
gapless even with overlapping workers. A crash before the commit leaves
nothing; after it, the next run finds the months billed and the cursors moved.
One commit per batch, not per invoice, is what keeps the counter - the job's
one serial point - from limiting its speed (infra/BILLING_SCALE.md).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from shared.policy import Policy
from shared.rules import billing as rules
from shared.storage.db import ConditionFailed, Contended, transaction
from shared.storage.invoice_json import invoice_to_json
from shared.storage.keys import billing as keys
from shared.storage.models import (
    Account,
    AppSubscriptionItem,
    BillableHoursEntry,
    CocoonItem,
    EditionChange,
    InvoiceCounter,
    InvoiceDocument,
    OutboxMail,
    ScheduledAction,
    SeatEvent,
    User,
    account_pk,
)
from shared.storage.outbox import MailToStore, outbox_mail
from shared.storage.payment_models import SepaMandate
from shared.storage.payments import index_as_open
from shared.storage.schedule import BILLING_CURSOR, BILLING_JOB, action_sk, billing_cursor


class BillingMails(Protocol):
    """Composes the mails of a commit (shared/services/billing/mails.py): storage knows the number only inside it."""

    def invoice(self, account: Any, number: str, month: str, document: dict[str, Any], now: datetime) -> MailToStore:
        ...

    def address_reminder(self, account: Any, month: str, now: datetime) -> MailToStore: ...


@dataclass
class BillingSnapshot:
    """An account's partition, read once: the account, its history and the months already billed."""

    account: Account
    history: rules.BillingHistory
    billed_months: set[str] = field(default_factory=set)
    cursor: ScheduledAction | None = None
    mandate: SepaMandate | None = None  # the account's SEPA mandate item (issue 18), live or revoked


# The items of a partition that billing reads; the rest (mails, tickets, messages, ...) are passed over
# without being deserialized, and invoices are known by their key alone (sk "INVOICE#<month>").
_BILLING_ITEM_TYPES: tuple[type[CocoonItem], ...] = (
    Account,
    EditionChange,
    AppSubscriptionItem,
    BillableHoursEntry,
    ScheduledAction,
    SepaMandate,
)


@dataclass
class _BillingPartition:
    """What billing reads of an account's partition, from one Query (paginated)."""

    items: list[CocoonItem] = field(default_factory=list)  # the few item types, as models
    seat_events: list[tuple[str, bool, datetime]] = field(default_factory=list)  # (user id, activated, at)
    user_names: dict[str, str] = field(default_factory=dict)
    billed_months: set[str] = field(default_factory=set)


def _decoded(model: type[CocoonItem], raw: dict[str, Any], *names: str) -> list[Any]:
    """Attributes of a raw item, decoded by the model's own attribute types, without building the model.

    Seat events and users are most of an account's history; building a model of each would cost
    billing more than everything else it does with them.
    """
    attributes = model.get_attributes()
    values = []
    for name in names:
        attribute = attributes[name]
        value = raw.get(attribute.attr_name)
        values.append(None if value is None else attribute.deserialize(attribute.get_value(value)))
    return values


def _partition_for_billing(account_id: str) -> _BillingPartition:
    """The account's billing history in one Query (paginated), decoding only what billing needs.

    PynamoDB's model query would add a filter on every item type and build a model of every item.
    """
    discriminator = CocoonItem._get_discriminator_attribute()
    assert discriminator is not None
    as_model = {discriminator.get_discriminator(kind) for kind in _BILLING_ITEM_TYPES}
    seat_event, user = discriminator.get_discriminator(SeatEvent), discriminator.get_discriminator(User)
    connection = CocoonItem._get_connection()
    partition = _BillingPartition()
    start: dict[str, Any] | None = None
    while True:
        page = connection.query(account_pk(account_id), exclusive_start_key=start)
        for raw in page.get("Items", []):
            billed_month = keys.billed_month_key(raw["sk"]["S"])
            item_type = raw.get("item_type", {}).get("S")
            if billed_month is not None:
                partition.billed_months.add(billed_month)
            elif item_type == seat_event:
                user_id, activated, at = _decoded(SeatEvent, raw, "user_id", "activated", "at")
                partition.seat_events.append((user_id, activated, at))
            elif item_type == user:
                user_id, name = _decoded(User, raw, "user_id", "name")
                partition.user_names[user_id] = name
            elif item_type in as_model:
                partition.items.append(CocoonItem.from_raw_data(raw))
        start = page.get("LastEvaluatedKey")
        if not start:
            return partition


def load_snapshot(account_id: str) -> BillingSnapshot | None:
    partition = _partition_for_billing(account_id)
    items = partition.items
    account = next((item for item in items if isinstance(item, Account)), None)
    if account is None:
        return None
    names = partition.user_names
    history = rules.BillingHistory(
        seat_events=[
            rules.SeatEvent(user_id=user_id, user_name=names.get(user_id, user_id), activated=activated, at=at)
            for user_id, activated, at in partition.seat_events
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
    cursor = next(
        (i for i in items if isinstance(i, ScheduledAction) and i.sk == action_sk(BILLING_JOB, BILLING_CURSOR)), None
    )
    mandate = next((i for i in items if isinstance(i, SepaMandate)), None)
    return BillingSnapshot(account, history, partition.billed_months, cursor, mandate)


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
        reference=account.buyer_reference,
        public_institution=account.organization_type == "public_institution",
    )


def billing_ends_on(account: Account) -> date | None:
    """The account's last paid day (shared.rules.billing.cursor.last_paid_day) from what is stored."""
    cancellation = account.cancellation
    deactivated = account.deactivated_on if account.state == "deactivated" and account.deactivated_on else None
    return rules.last_paid_day(
        date.fromisoformat(cancellation.effective_on) if cancellation is not None else None,
        date.fromisoformat(deactivated) if deactivated else None,
    )


class CounterCache:
    """The last invoice number this process saw per year, so the happy path reads no counter.

    The worker threads of one process share it, and its lock lets one of them commit at a time:
    they never race each other for the counter (the counter serializes commits anyway), only
    workers in other processes - other Lambdas - can, and those retry.
    """

    def __init__(self) -> None:
        self.last: dict[int, int] = {}
        self.lock = threading.Lock()

    def expected(self, year: int) -> int:
        if year not in self.last:
            try:
                self.last[year] = int(
                    InvoiceCounter.get(
                        keys.invoice_counter_pk(year), keys.INVOICE_COUNTER_SK, consistent_read=True
                    ).last_sequence
                )
            except InvoiceCounter.DoesNotExist:
                self.last[year] = 0
        return self.last[year]

    def forget(self, year: int) -> None:
        self.last.pop(year, None)


@dataclass(frozen=True)
class AccountBill:
    """What one account owes: the drafts of its missing months (oldest first) and where its cursor goes.

    `cursor_due_at` is when the billing job must look at the account again (None: never, the cursor
    is deleted); shared/services/billing decides it. `moves_cursor` is False for the first parts of
    an account whose months need several commits: the cursor moves with the last part, so a run that
    dies in between leaves the account due.
    """

    snapshot: BillingSnapshot
    drafts: tuple[rules.InvoiceDraft, ...]
    cursor_due_at: datetime | None
    moves_cursor: bool = True
    # Months are due but the buyer's address is missing (§14 UStG): no invoice, the cursor moves as
    # usual (the months stay unbilled and are billed at the next run after the address is given) and
    # this month's reminder mail asks for the address, once (its id is the account and the month).
    asks_for_address: bool = False
    # The mandate live when billing read the partition: recorded in each invoice of the bill (issue 17).
    direct_debit: rules.DirectDebitMandate | None = None

    @property
    def account_id(self) -> str:
        return self.snapshot.account.account_id

    @property
    def items(self) -> int:
        """Items in a transaction: an invoice and its mail per month, and the cursor."""
        return 2 * len(self.drafts) + int(self.moves_cursor) + int(self.asks_for_address)


# DynamoDB's limit of items per transaction; one of them is the year's counter.
ITEMS_PER_TRANSACTION = 100


def commits(bills: list[AccountBill], room: int = ITEMS_PER_TRANSACTION - 1) -> list[list[AccountBill]]:
    """Pack the bills into transactions of at most `room` items (besides the counter), in order.

    An account with more missing months than one transaction holds is split; only its last part
    moves the cursor.
    """
    packed: list[list[AccountBill]] = [[]]
    for bill in bills:
        parts = [bill]
        if bill.items > room:
            per_part = (room - 1) // 2
            drafts = bill.drafts
            parts = [
                replace(bill, drafts=drafts[i : i + per_part], moves_cursor=i + per_part >= len(drafts))
                for i in range(0, len(drafts), per_part)
            ]
        for part in parts:
            if sum(b.items for b in packed[-1]) + part.items > room:
                packed.append([])
            packed[-1].append(part)
    return [group for group in packed if group]


def commit_invoices(
    group: list[AccountBill],
    today: date,
    now: datetime,
    policy: Policy,
    counters: CounterCache,
    mails: BillingMails,
    attempts: int = 60,
) -> dict[str, list[str]]:
    """Number and issue the group's invoices with their mails and cursors: one transaction with the counter.

    The counter's condition (it still holds the number we read) makes the numbers gapless and
    unique; each invoice's key (one per account and month, must not exist) makes a second invoice
    for a month impossible. So a crash leaves all of it or nothing, and a re-run, a redelivered
    message or an overlapping worker finds the month billed. An account another worker billed
    meanwhile leaves the group; a lost counter race is retried with fresh numbers.
    """
    year = today.year
    pending = [bill for bill in group if bill.drafts or bill.asks_for_address or _cursor_change(bill)]
    for attempt in range(attempts):
        if not pending:
            return {}
        if attempt:  # a worker of another process won the counter: retry at a different moment than the others
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))  # noqa: S311
        with counters.lock:
            first = counters.expected(year) + 1
            invoices = sum(len(bill.drafts) for bill in pending)
            numbers = iter(range(first, first + invoices))
            issued: dict[str, list[str]] = {}
            try:
                with transaction() as tx:
                    if invoices:
                        unchanged = (
                            InvoiceCounter.pk.does_not_exist()
                            if first == 1
                            else InvoiceCounter.last_sequence == first - 1
                        )
                        tx.save(
                            InvoiceCounter(
                                keys.invoice_counter_pk(year),
                                keys.INVOICE_COUNTER_SK,
                                year=year,
                                last_sequence=first + invoices - 1,
                            ),
                            condition=unchanged,
                        )
                    for bill in pending:
                        numbered = issued.setdefault(bill.account_id, [])
                        for draft in bill.drafts:
                            number = rules.format_invoice_number(year, next(numbers))
                            record, mail = _invoice_and_mail(
                                bill.snapshot.account, draft, number, today, now, policy, mails, bill.direct_debit
                            )
                            tx.save(record, condition=InvoiceDocument.pk.does_not_exist())
                            tx.save(mail, condition=CocoonItem.pk.does_not_exist())
                            numbered.append(number)
                        if bill.asks_for_address:
                            tx.save(
                                address_reminder(bill.snapshot.account, today, now, mails),
                                condition=CocoonItem.pk.does_not_exist(),
                            )
                        change = _cursor_change(bill) if bill.moves_cursor else None
                        if change is not None:
                            operation, cursor = change
                            getattr(tx, operation)(cursor)
            except ConditionFailed as lost:
                counters.forget(year)
                # An account whose invoice exists was billed by another worker, which also moves its cursor.
                billed_elsewhere = {pk for pk, sk in lost.refused if keys.billed_month_key(sk) is not None}
                pending = [bill for bill in pending if account_pk(bill.account_id) not in billed_elsewhere]
                # This month's address reminder exists already (a re-run): move the cursor without a second one.
                reminded = {pk for pk, sk in lost.refused if sk.startswith(ADDRESS_REMINDER_SK_PREFIX)}
                pending = [
                    replace(bill, asks_for_address=False) if account_pk(bill.account_id) in reminded else bill
                    for bill in pending
                ]
                continue
            except Contended:
                counters.forget(year)
                continue
            if invoices:
                counters.last[year] = first + invoices - 1
            return issued
    raise RuntimeError(f"could not commit invoices after {attempts} attempts")


def _invoice_and_mail(
    account: Account,
    draft: rules.InvoiceDraft,
    number: str,
    today: date,
    now: datetime,
    policy: Policy,
    mails: BillingMails,
    direct_debit: rules.DirectDebitMandate | None = None,
) -> tuple[InvoiceDocument, OutboxMail]:
    invoice = rules.issue_invoice(
        draft,
        number=number,
        issued_on=today,
        payment_terms_days=policy.billing.payment_terms_days,
        direct_debit=direct_debit,
    )
    document = invoice_to_json(invoice)
    record = InvoiceDocument(
        account_pk(account.account_id),
        keys.invoice_sk(draft.month),
        account_id=account.account_id,
        number=number,
        month=str(draft.month),
        issued_on=today.isoformat(),
        document=document,
        lookup_key=keys.invoice_lookup_key(number),
    )
    index_as_open(record)  # issue 18: owed until paid, so the open items and dunning find it (no Scan)
    mail = outbox_mail(
        mails.invoice(account, number, str(draft.month), document, now),
        attachments=[keys.document_pdf_attachment(account.account_id, number)],  # the PDF is rendered when sent
    )
    return record, mail


ADDRESS_REMINDER_SK_PREFIX = "MAIL#billing-address-"


def address_reminder(account: Account, today: date, now: datetime, mails: BillingMails) -> OutboxMail:
    """The month's one mail asking for the billing address: its id is the account and the month."""
    return outbox_mail(mails.address_reminder(account, rules.month_key(rules.BillingMonth.of(today)), now))


def _cursor_change(bill: AccountBill) -> tuple[str, ScheduledAction] | None:
    """The write that puts the account's billing cursor where the bill says ("save" or "delete"), or None."""
    snapshot, account, moment = bill.snapshot, bill.snapshot.account, bill.cursor_due_at
    if moment is None:
        if snapshot.cursor is None:
            return None
        return ("delete", ScheduledAction(account_pk(account.account_id), action_sk(BILLING_JOB, BILLING_CURSOR)))
    cursor = billing_cursor(account.account_id, moment)
    if snapshot.cursor is not None and snapshot.cursor.due_at == cursor.due_at:
        return None
    return ("save", cursor)


def list_invoices(account_id: str) -> list[InvoiceDocument]:
    return [
        item
        for item in InvoiceDocument.query(account_pk(account_id), InvoiceDocument.sk.startswith(keys.INVOICE_PREFIX))
        if isinstance(item, InvoiceDocument)
    ]


def find_invoice(account_id: str, number: str) -> InvoiceDocument | None:
    for item in InvoiceDocument.lookup_index.query(keys.invoice_lookup_key(number)):
        if isinstance(item, InvoiceDocument) and item.account_id == account_id:
            return item
    return None
