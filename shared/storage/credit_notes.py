"""Credit notes in storage: read an invoice's credits, issue one credit note exactly once.

One transaction holds the year's credit-note counter (it still holds the number we read: gapless),
the invoice's credit ledger (still the version we read: two concurrent credits cannot together
exceed what was left), the credit note (its key must not exist) and its mail. The invoice is never
written. PynamoDB's errors stay here: a lost race is CreditRace, the caller reads again and retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared.rules.billing.credit_notes import CREDIT_NOTE_PREFIX, CreditedSoFar
from shared.storage.db import ConditionFailed, Contended, transaction
from shared.storage.keys import billing as keys
from shared.storage.models import CreditLedger, CreditNoteDocument, InvoiceCounter, OutboxMail, account_pk


class CreditRace(Exception):
    """Another credit note of the invoice, or of the year's series, committed first: read again."""


@dataclass(frozen=True)
class InvoiceCredits:
    """What the invoice's credit notes credited so far, the ledger's version and the year's last number."""

    credited: CreditedSoFar
    version: int
    credit_notes: tuple[str, ...]


def credits_of(account_id: str, invoice_number: str) -> InvoiceCredits:
    try:
        ledger = CreditLedger.get(account_pk(account_id), keys.credit_ledger_sk(invoice_number), consistent_read=True)
    except CreditLedger.DoesNotExist:
        return InvoiceCredits(CreditedSoFar(lines={}), 0, ())
    lines = {int(index): Decimal(amount) for index, amount in (ledger.credited_lines or {}).items()}
    return InvoiceCredits(
        CreditedSoFar(lines=lines, vat=Decimal(ledger.credited_vat)), int(ledger.version), tuple(ledger.credit_notes)
    )


def last_credit_note_sequence(year: int) -> int:
    try:
        counter = InvoiceCounter.get(keys.credit_note_counter_pk(year), keys.INVOICE_COUNTER_SK, consistent_read=True)
    except InvoiceCounter.DoesNotExist:
        return 0
    return int(counter.last_sequence)


def commit_credit_note(
    *,
    account_id: str,
    invoice_number: str,
    year: int,
    sequence: int,
    document: dict[str, Any],
    before: InvoiceCredits,
    after: CreditedSoFar,
    mail: OutboxMail,
) -> None:
    """Issue the credit note numbered ``sequence`` of ``year``; CreditRace when another got there first."""
    number = document["number"]
    pk = account_pk(account_id)
    counter_unchanged = (
        InvoiceCounter.pk.does_not_exist() if sequence == 1 else InvoiceCounter.last_sequence == sequence - 1
    )
    ledger_unchanged = (
        CreditLedger.pk.does_not_exist() if before.version == 0 else CreditLedger.version == before.version
    )
    try:
        with transaction() as tx:
            tx.save(
                InvoiceCounter(
                    keys.credit_note_counter_pk(year), keys.INVOICE_COUNTER_SK, year=year, last_sequence=sequence
                ),
                condition=counter_unchanged,
            )
            tx.save(
                CreditLedger(
                    pk,
                    keys.credit_ledger_sk(invoice_number),
                    invoice_number=invoice_number,
                    credited_lines={str(i): f"{amount:f}" for i, amount in after.lines.items()},
                    credited_vat=f"{after.vat:f}",
                    credit_notes=[*before.credit_notes, number],
                    version=before.version + 1,
                ),
                condition=ledger_unchanged,
            )
            tx.save(
                CreditNoteDocument(
                    pk,
                    keys.credit_note_sk(number),
                    account_id=account_id,
                    number=number,
                    invoice_number=invoice_number,
                    issued_on=document["issued_on"],
                    document=document,
                    lookup_key=keys.credit_note_sk(number),
                ),
                condition=CreditNoteDocument.pk.does_not_exist(),
            )
            tx.save(mail, condition=OutboxMail.pk.does_not_exist())
    except (ConditionFailed, Contended) as exc:
        raise CreditRace(number) from exc


def credit_notes_of_account(account_id: str) -> list[dict[str, Any]]:
    """The account's credit notes (their documents), oldest first: one Query of their keys."""
    return [
        item.document
        for item in CreditNoteDocument.query(
            account_pk(account_id), CreditNoteDocument.sk.startswith(keys.credit_note_sk(CREDIT_NOTE_PREFIX))
        )
        if isinstance(item, CreditNoteDocument)
    ]


def find_credit_note(account_id: str, number: str) -> CreditNoteDocument | None:
    try:
        item = CreditNoteDocument.get(account_pk(account_id), keys.credit_note_sk(number))
    except CreditNoteDocument.DoesNotExist:
        return None
    return item if isinstance(item, CreditNoteDocument) else None
