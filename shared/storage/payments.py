"""Payments booked on invoices, imported statements and unmatched credits: data access only (issue 18).

Every booking is one transaction: the invoice's paid amount (conditioned on the `payment_version` it
was read with, so two bookings never both count on the same amount), the payment item (its id comes
from its source and must not exist, so a statement imported twice books nothing twice), and, once
nothing is owed, the invoice leaves the due index of open items. PynamoDB errors stay here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.storage.db import ConditionFailed, Contended, transaction
from shared.storage.dunning import lift_suspension
from shared.storage.keys import billing as keys
from shared.storage.models import InvoiceDocument, account_pk
from shared.storage.payment_models import BankStatement, InvoicePayment, UnmatchedCredit
from shared.storage.schedule import due_key, due_keys


class AlreadyBooked(Exception):
    """This payment (same source id) is booked already: nothing happened a second time."""


class BookingRaced(Exception):
    """Another booking changed the invoice since it was read: read it again and decide again."""


class StatementExists(Exception):
    """The statement (same id) was imported before."""


def find_payable(number: str) -> InvoiceDocument | None:
    """The invoice with this number, of whichever account: one Query of the lookup index."""
    for item in InvoiceDocument.lookup_index.query(keys.invoice_lookup_key(number)):
        if isinstance(item, InvoiceDocument):
            return item
    return None


def reread(invoice: InvoiceDocument) -> InvoiceDocument | None:
    """The invoice as it is now (a consistent read), after a lost race."""
    try:
        return InvoiceDocument.get(invoice.pk, invoice.sk, consistent_read=True)
    except InvoiceDocument.DoesNotExist:
        return None


def paid_so_far(invoice: InvoiceDocument) -> Decimal:
    return Decimal(invoice.paid_amount or "0")


def open_items_due_at(due_on: str) -> str:
    """The due index moment of an unpaid invoice: its due date (the dunning job counts its days from it)."""
    return f"{due_on}T00:00:00Z"


def index_as_open(invoice: InvoiceDocument) -> None:
    """Put an issued invoice into the due index of open items (set on the unsaved item at issue)."""
    invoice.due_job = due_key(keys.DUNNING_JOB, invoice.number)
    invoice.due_at = open_items_due_at(str(invoice.document["due_on"]))


def book(
    invoice: InvoiceDocument,
    payment: InvoicePayment,
    *,
    settled: bool,
    credit: UnmatchedCredit | None = None,
) -> None:
    """Book `payment` on `invoice` in one transaction; `settled`: nothing is owed afterwards.

    A returned debit (negative amount) puts a settled invoice back among the open items. An assigned
    `credit` leaves the list of unmatched credits in the same transaction.
    """
    version = invoice.payment_version
    new_paid = paid_so_far(invoice) + Decimal(payment.amount)
    actions: list[Any] = [
        InvoiceDocument.paid_amount.set(f"{new_paid:f}"),
        InvoiceDocument.payment_version.set((version or 0) + 1),
    ]
    if settled:
        actions += [InvoiceDocument.due_job.remove(), InvoiceDocument.due_at.remove()]
    else:
        actions += [
            InvoiceDocument.due_job.set(due_key(keys.DUNNING_JOB, invoice.number)),
            InvoiceDocument.due_at.set(invoice.due_at or open_items_due_at(str(invoice.document["due_on"]))),
        ]
    unchanged = (
        InvoiceDocument.payment_version.does_not_exist()
        if version is None
        else InvoiceDocument.payment_version == version
    )
    try:
        with transaction() as tx:
            tx.update(invoice, actions=actions, condition=unchanged & InvoiceDocument.written_off_at.does_not_exist())
            tx.save(payment, condition=InvoicePayment.pk.does_not_exist())
            if settled and invoice.dunning_level:
                lift_suspension(tx, invoice)  # paid: no longer keeps its account suspended (issue 18)
            if credit is not None:
                tx.update(
                    credit,
                    actions=[UnmatchedCredit.lookup_key.remove(), UnmatchedCredit.assigned_to.set(invoice.number)],
                    condition=UnmatchedCredit.assigned_to.does_not_exist(),
                )
    except ConditionFailed as lost:
        if (payment.pk, payment.sk) in lost.refused:
            raise AlreadyBooked(payment.payment_id) from lost
        raise BookingRaced(invoice.number) from lost
    except Contended as lost:
        raise BookingRaced(invoice.number) from lost


def write_off(invoice: InvoiceDocument, now: datetime) -> None:
    """Write off what is left: the invoice leaves the open items; conditioned on nothing booked meanwhile."""
    version = invoice.payment_version
    unchanged = (
        InvoiceDocument.payment_version.does_not_exist()
        if version is None
        else InvoiceDocument.payment_version == version
    )
    try:
        with transaction() as tx:
            tx.update(
                invoice,
                actions=[
                    InvoiceDocument.written_off_at.set(now),
                    InvoiceDocument.payment_version.set((version or 0) + 1),
                    InvoiceDocument.due_job.remove(),
                    InvoiceDocument.due_at.remove(),
                ],
                condition=unchanged & InvoiceDocument.written_off_at.does_not_exist(),
            )
            if invoice.dunning_level:
                lift_suspension(tx, invoice)
    except (ConditionFailed, Contended) as lost:
        raise BookingRaced(invoice.number) from lost


def new_payment(invoice: InvoiceDocument, payment_id: str, amount: Decimal, kind: str, now: datetime) -> InvoicePayment:
    return InvoicePayment(
        invoice.pk,
        keys.payment_sk(invoice.number, payment_id),
        account_id=invoice.account_id,
        number=invoice.number,
        payment_id=payment_id,
        amount=f"{amount:f}",
        kind=kind,
        booked_at=now,
    )


def payments_of(invoice: InvoiceDocument) -> list[InvoicePayment]:
    prefix = f"{keys.PAYMENT_PREFIX}{invoice.number}#"
    return [
        item
        for item in InvoicePayment.query(account_pk(invoice.account_id), InvoicePayment.sk.startswith(prefix))
        if isinstance(item, InvoicePayment)
    ]


def open_invoices() -> Iterator[InvoiceDocument]:
    """Every invoice with something owed: the due index of open items (no Scan)."""
    for key in due_keys(keys.DUNNING_JOB):
        for item in InvoiceDocument.due_index.query(key):
            if isinstance(item, InvoiceDocument):
                yield item


def statement_imported(statement_id: str) -> bool:
    try:
        BankStatement.get(keys.statement_pk(statement_id), keys.STATEMENT_SK, consistent_read=True)
    except BankStatement.DoesNotExist:
        return False
    return True


def mark_statement_imported(statement_id: str, now: datetime, entries: int, matched: int, unmatched: int) -> None:
    """The statement's mark, written after its entries: a re-import of a finished statement is refused."""
    from pynamodb.exceptions import PutError

    try:
        BankStatement(
            keys.statement_pk(statement_id),
            keys.STATEMENT_SK,
            statement_id=statement_id,
            imported_at=now,
            entries=entries,
            matched=matched,
            unmatched=unmatched,
        ).save(condition=BankStatement.pk.does_not_exist())
    except PutError as exc:
        raise StatementExists(statement_id) from exc


def keep_unmatched(credit: UnmatchedCredit) -> None:
    """List a credit for a clerk; the same entry of a re-imported statement is the same item."""
    from pynamodb.exceptions import PutError

    try:
        credit.save(condition=UnmatchedCredit.pk.does_not_exist())
    except PutError:
        return  # listed already (a re-run of an interrupted import)


def new_unmatched_credit(statement_id: str, reference: str, **fields: Any) -> UnmatchedCredit:
    return UnmatchedCredit(
        keys.statement_pk(statement_id),
        keys.credit_sk(reference),
        statement_id=statement_id,
        entry_reference=reference,
        lookup_key=keys.UNMATCHED_CREDITS_LOOKUP,
        **fields,
    )


def unmatched_credits() -> list[UnmatchedCredit]:
    return [
        item
        for item in UnmatchedCredit.lookup_index.query(keys.UNMATCHED_CREDITS_LOOKUP)
        if isinstance(item, UnmatchedCredit)
    ]


def find_unmatched_credit(statement_id: str, reference: str) -> UnmatchedCredit | None:
    try:
        return UnmatchedCredit.get(keys.statement_pk(statement_id), keys.credit_sk(reference), consistent_read=True)
    except UnmatchedCredit.DoesNotExist:
        return None
