"""Issuing a credit note for an issued invoice (billing staff), and reading credit notes.

Load the invoice and what its credit notes credited so far, decide with the rules
(shared/rules/billing/credit_notes.py), compose the mail with the PDF as attachment through the
outbox, and commit it all in one transaction with the credit-note counter and the invoice's
credit ledger. A lost race (another credit note of the invoice or of the year came first) is read
again and decided again, so two concurrent credits can never together exceed what was left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from shared.policy import get_policy
from shared.rules.billing import BillingError
from shared.rules.billing.credit_notes import (
    CreditRefused,
    credit_note,
    format_credit_note_number,
    is_credit_note_number,
)
from shared.services.billing.accounts import today_in
from shared.storage import credit_notes as storage
from shared.storage.credit_notes import CreditRace, InvoiceCredits
from shared.storage.invoice_json import invoice_from_json, invoice_to_json
from shared.storage.keys.billing import document_pdf_attachment

ATTEMPTS = 20
__all__ = ["CreditRefused"]  # re-exported: the HTTP edge maps it to a 4xx naming the field


class InvoiceNotFound(Exception):
    """No issued invoice of this number in this account."""


class CreditNoteStore(Protocol):
    """What issuing a credit note needs of storage (the Dynamo store below is the real one)."""

    def invoice(self, account_id: str, number: str) -> dict[str, Any] | None: ...

    def account(self, account_id: str) -> Any: ...

    def credits_of(self, account_id: str, invoice_number: str) -> InvoiceCredits: ...

    def last_sequence(self, year: int) -> int: ...

    def commit(self, **change: Any) -> None: ...

    def mail(self, account: Any, document: dict[str, Any], now: datetime) -> Any: ...


class DynamoCreditNoteStore:
    def invoice(self, account_id: str, number: str) -> dict[str, Any] | None:
        from shared.storage.billing import find_invoice

        item = find_invoice(account_id, number)
        return None if item is None else item.document

    def account(self, account_id: str) -> Any:
        from shared.storage.accounts import get_account

        return get_account(account_id)

    def credits_of(self, account_id: str, invoice_number: str) -> InvoiceCredits:
        return storage.credits_of(account_id, invoice_number)

    def last_sequence(self, year: int) -> int:
        return storage.last_credit_note_sequence(year)

    def commit(self, **change: Any) -> None:
        storage.commit_credit_note(**change)

    def mail(self, account: Any, document: dict[str, Any], now: datetime) -> Any:
        return credit_note_mail(account, document, now)


@dataclass(frozen=True)
class CreditRequest:
    """What billing staff ask: the reason, and per 1-based line position an amount (None: all left); or all."""

    reason: str
    amounts: dict[int, Decimal | None] | None = None


def issue_credit_note(
    account_id: str,
    invoice_number: str,
    request: CreditRequest,
    now: datetime,
    store: CreditNoteStore | None = None,
) -> dict[str, Any]:
    """Issue the credit note; its document. Raises InvoiceNotFound or CreditRefused (naming the field)."""
    store = store or DynamoCreditNoteStore()
    document = store.invoice(account_id, invoice_number)
    account = store.account(account_id) if document is not None else None
    if document is None or account is None:
        raise InvoiceNotFound(invoice_number)
    invoice = invoice_from_json(document)
    today = today_in(now, get_policy())
    for _ in range(ATTEMPTS):
        before = store.credits_of(account_id, invoice_number)
        sequence = store.last_sequence(today.year) + 1
        note, after = credit_note(
            invoice,
            before.credited,
            number=format_credit_note_number(today.year, sequence),
            issued_on=today,
            reason=request.reason,
            amounts=request.amounts,
        )
        issued = invoice_to_json(note)
        try:
            store.commit(
                account_id=account_id,
                invoice_number=invoice_number,
                year=today.year,
                sequence=sequence,
                document=issued,
                before=before,
                after=after,
                mail=store.mail(account, issued, now),
            )
        except CreditRace:
            continue
        return issued
    raise BillingError(f"could not issue a credit note for {invoice_number} after {ATTEMPTS} attempts")


def credit_note_mail(account: Any, document: dict[str, Any], now: datetime) -> Any:
    """The credit note's mail to the billing contact, in the account's language, with its PDF attached."""
    from shared.mail.compose import compose_mail
    from shared.mail.context import mail_context
    from shared.storage.outbox import outbox_mail

    number = document["number"]
    composed = compose_mail(
        mail_id=f"credit-note-{number}",
        account_id=account.account_id,
        recipient=account.billing_email or account.admin_email,
        template="credit_note",
        language=account.language,
        context=mail_context(
            account,
            get_policy(),
            number=number,
            invoice_number=document["corrects"]["number"],
            total=document["total"].removeprefix("-"),  # the amount credited, as the reader expects it
            currency=document["currency"],
        ),
        now=now,
    )
    return outbox_mail(composed, attachments=[document_pdf_attachment(account.account_id, number)])


def credit_note_document(account_id: str, number: str) -> dict[str, Any] | None:
    """One credit note of the account, or None (another account's number is not found either)."""
    if not is_credit_note_number(number):
        return None
    item = storage.find_credit_note(account_id, number)
    return None if item is None else item.document


def credit_notes_by_invoice(account_id: str) -> dict[str, list[dict[str, str]]]:
    """The account's credit notes as the invoices' JSON lists them (number, date, amount), per invoice number."""
    listed: dict[str, list[dict[str, str]]] = {}
    for doc in storage.credit_notes_of_account(account_id):
        summary = {"number": doc["number"], "issued_on": doc["issued_on"], "total": doc["total"]}
        listed.setdefault(doc["corrects"]["number"], []).append(summary)
    return listed
