"""Getting paid (issue 18): book payments by hand or from a camt.053 statement, write off, open items.

Load via storage, decide with shared.rules.billing.payments, commit one transaction per booking. A lost
race (another booking on the same invoice) is read again and decided again, a few times.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.banking.camt import Statement, StatementEntry
from shared.rules.billing.payments import (
    PaymentRefused,
    aging_bucket,
    check_payment,
    open_amount,
    payment_state,
)
from shared.storage import payments as storage
from shared.storage.models import InvoiceDocument

INVOICE_NUMBER = re.compile(r"\b(\d{4}-\d{6})\b")
RACE_ATTEMPTS = 5


class InvoiceNotFound(Exception):
    """No invoice has this number."""


class DuplicateStatement(Exception):
    """The statement (same id) was imported before: nothing is booked twice."""


def _today(document: dict[str, Any], now: datetime) -> date:
    from shared.policy import get_policy
    from shared.services.billing.accounts import today_in

    return today_in(now, get_policy())


def payment_view(invoice: InvoiceDocument, today: date) -> dict[str, Any]:
    """The `payment_state` of the invoice JSON: its state, what was paid and what is open."""
    total = Decimal(invoice.document["total"])
    paid = storage.paid_so_far(invoice)
    due_on = date.fromisoformat(invoice.document["due_on"])
    written_off = invoice.written_off_at is not None
    return {
        "state": payment_state(total, paid, due_on, today, written_off=written_off),
        "paid": f"{paid:.2f}",
        "open": "0.00" if written_off else f"{open_amount(total, paid):.2f}",
        "due_on": due_on.isoformat(),
        "written_off": written_off,
    }


def with_payment_state(invoice: InvoiceDocument, today: date) -> dict[str, Any]:
    """The invoice document as shown over HTTP, with its payment state (the stored document never changes)."""
    return {**invoice.document, "payment_state": payment_view(invoice, today)}


def _find(number: str) -> InvoiceDocument:
    invoice = storage.find_payable(number)
    if invoice is None:
        raise InvoiceNotFound(number)
    return invoice


def _book(invoice: InvoiceDocument, payment_id: str, amount: Decimal, kind: str, now: datetime, **extra: Any) -> bool:
    """Book one payment, re-reading after a lost race; False when this payment was booked already."""
    for _attempt in range(RACE_ATTEMPTS):
        total = Decimal(invoice.document["total"])
        paid = storage.paid_so_far(invoice)
        if amount > 0:
            check_payment(amount, total, paid, written_off=invoice.written_off_at is not None)
        payment = storage.new_payment(invoice, payment_id, amount, kind, now)
        for name, value in extra.items():
            if name != "credit":
                setattr(payment, name, value)
        try:
            storage.book(invoice, payment, settled=paid + amount >= total, credit=extra.get("credit"))
        except storage.AlreadyBooked:
            return False
        except storage.BookingRaced:
            fresh = storage.reread(invoice)
            if fresh is None:
                raise InvoiceNotFound(invoice.number) from None
            invoice = fresh
            continue
        return True
    raise storage.BookingRaced(invoice.number)


def record_payment(
    number: str, amount: Decimal, payment_id: str, now: datetime, staff_id: str, note: str | None
) -> dict[str, Any]:
    """A clerk books a payment by hand (e.g. a cheque); the same payment id twice books it once."""
    invoice = _find(number)
    _book(invoice, f"manual-{payment_id}", amount, "manual", now, recorded_by=staff_id, reference=note)
    return with_payment_state(_reloaded(invoice), _today(invoice.document, now))


def write_off(number: str, now: datetime) -> dict[str, Any]:
    invoice = _find(number)
    for _attempt in range(RACE_ATTEMPTS):
        total, paid = Decimal(invoice.document["total"]), storage.paid_so_far(invoice)
        if invoice.written_off_at is not None or paid >= total:
            raise PaymentRefused("number", "Only an invoice with something owed can be written off.")
        try:
            storage.write_off(invoice, now)
        except storage.BookingRaced:
            invoice = storage.reread(invoice) or invoice
            continue
        break
    return with_payment_state(_reloaded(invoice), _today(invoice.document, now))


def _reloaded(invoice: InvoiceDocument) -> InvoiceDocument:
    return storage.reread(invoice) or invoice


def _entry_payment_id(statement_id: str, entry: StatementEntry) -> str:
    digest = hashlib.sha256(f"{statement_id}\x00{entry.reference}".encode()).hexdigest()[:32]
    return f"stmt-{digest}"


def _named_invoice(entry: StatementEntry) -> InvoiceDocument | None:
    for text in (entry.remittance, entry.end_to_end_id):
        for number in INVOICE_NUMBER.findall(text):
            invoice = storage.find_payable(number)
            if invoice is not None:
                return invoice
    return None


def import_statement(statement: Statement, now: datetime) -> dict[str, Any]:
    """Book a parsed camt.053 statement: credits on the invoice they name, returned debits reopen it.

    Every entry's payment id comes from the statement id and the entry's reference, so an import that
    crashed half-way is finished by importing it again, and a finished one is refused as a duplicate.
    """
    if storage.statement_imported(statement.statement_id):
        raise DuplicateStatement(statement.statement_id)
    matched, unmatched, returned = [], [], []
    for entry in statement.entries:
        if entry.reversal or not entry.credit:
            if entry.return_reason and _book_return(statement.statement_id, entry, now):
                returned.append(entry.reference)
            continue
        invoice = _named_invoice(entry)
        booked = False
        if invoice is not None and entry.currency == invoice.document["currency"]:
            try:
                _book(
                    invoice,
                    _entry_payment_id(statement.statement_id, entry),
                    entry.amount,
                    "transfer",
                    now,
                    reference=entry.reference,
                    booked_on=entry.booked_on.isoformat() if entry.booked_on else None,
                )
                booked = True
            except PaymentRefused:
                booked = False  # over the open amount, or written off: a clerk decides
        if booked:
            matched.append(entry.reference)
        else:
            unmatched.append(entry.reference)
            storage.keep_unmatched(
                storage.new_unmatched_credit(
                    statement.statement_id,
                    entry.reference,
                    amount=f"{entry.amount:f}",
                    currency=entry.currency,
                    booked_on=entry.booked_on.isoformat() if entry.booked_on else None,
                    remittance=entry.remittance,
                    end_to_end_id=entry.end_to_end_id,
                )
            )
    try:
        storage.mark_statement_imported(
            statement.statement_id, now, len(statement.entries), len(matched), len(unmatched)
        )
    except storage.StatementExists as exc:
        raise DuplicateStatement(statement.statement_id) from exc
    return {
        "statement_id": statement.statement_id,
        "entries": len(statement.entries),
        "matched": matched,
        "unmatched": unmatched,
        "returned": returned,
    }


def _book_return(statement_id: str, entry: StatementEntry, now: datetime) -> bool:
    """A returned direct debit: the amount is taken back, the invoice is owed again, with the reason."""
    invoice = _named_invoice(entry)
    if invoice is None:
        return False
    amount = min(entry.amount, storage.paid_so_far(invoice))
    collected = invoice.collected_in is not None  # a SEPA debit of ours: returned before or after its credit
    if amount <= 0 and not collected:
        return False
    booked = _book(
        invoice,
        _entry_payment_id(statement_id, entry),
        -amount,
        "return",
        now,
        reference=entry.reference,
        return_reason=entry.return_reason,
    )
    if collected:
        from shared.storage.direct_debits import reopen_collected

        reopen_collected(invoice)  # owed again, with the reason booked: the next file may collect it again
    return booked


def unmatched_credits() -> list[dict[str, Any]]:
    return [
        {
            "statement_id": credit.statement_id,
            "entry": credit.entry_reference,
            "amount": credit.amount,
            "currency": credit.currency,
            "booked_on": credit.booked_on,
            "remittance": credit.remittance,
            "end_to_end_id": credit.end_to_end_id,
        }
        for credit in storage.unmatched_credits()
    ]


class CreditNotFound(Exception):
    """No unassigned credit with this statement id and entry."""


def assign_credit(statement_id: str, entry: str, number: str, now: datetime) -> dict[str, Any]:
    """A clerk books an unmatched credit on an invoice; it leaves the list in the same transaction."""
    credit = storage.find_unmatched_credit(statement_id, entry)
    if credit is None or credit.assigned_to is not None:
        raise CreditNotFound(f"{statement_id}/{entry}")
    invoice = _find(number)
    digest = hashlib.sha256(f"{statement_id}\x00{entry}".encode()).hexdigest()[:32]
    _book(invoice, f"stmt-{digest}", Decimal(credit.amount), "transfer", now, reference=entry, credit=credit)
    return with_payment_state(_reloaded(invoice), _today(invoice.document, now))


def open_items(now: datetime) -> list[dict[str, Any]]:
    """Every invoice with something owed, with its aging bucket, oldest due first."""
    rows = []
    for invoice in storage.open_invoices():
        today = _today(invoice.document, now)
        view = payment_view(invoice, today)
        due_on = date.fromisoformat(view["due_on"])
        rows.append(
            {
                "number": invoice.number,
                "account_id": invoice.account_id,
                "issued_on": invoice.issued_on,
                "due_on": view["due_on"],
                "state": view["state"],
                "total": invoice.document["total"],
                "open": view["open"],
                "currency": invoice.document["currency"],
                "days_overdue": max((today - due_on).days, 0),
                "bucket": aging_bucket(due_on, today),
            }
        )
    return sorted(rows, key=lambda row: (row["due_on"], row["number"]))


OPEN_ITEM_COLUMNS = (
    "number",
    "account_id",
    "issued_on",
    "due_on",
    "state",
    "total",
    "open",
    "currency",
    "days_overdue",
    "bucket",
)


def open_items_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OPEN_ITEM_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
