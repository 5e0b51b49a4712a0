"""Every key of billing's items, built here: invoices, their lookup by number, the year's counter."""

from __future__ import annotations

from shared.rules.billing.months import BillingMonth, month_key

INVOICE_PREFIX = "INVOICE#"
INVOICE_COUNTER_SK = "COUNTER"


def invoice_sk(month: BillingMonth) -> str:
    """An invoice's sort key: one per account and month, so a second invoice for a month cannot exist."""
    return f"{INVOICE_PREFIX}{month_key(month)}"


def billed_month_key(sort_key: str) -> str | None:
    """The month key of an invoice's sort key; None when the item is not an invoice."""
    return sort_key.removeprefix(INVOICE_PREFIX) if sort_key.startswith(INVOICE_PREFIX) else None


def invoice_lookup_key(number: str) -> str:
    """The lookup index key that finds an invoice by its number."""
    return f"{INVOICE_PREFIX}{number}"


def invoice_counter_pk(year: int) -> str:
    """The year's invoice counter: the one serial point that makes numbers gapless."""
    return f"COUNTER#INVOICE#{year}"


# Payments (issue 18): kept beside the invoice, which never changes.
PAYMENT_PREFIX = "PAYMENT#"
UNMATCHED_CREDITS_LOOKUP = "UNMATCHED_CREDIT"
DUNNING_JOB = "dunning"


def payment_sk(number: str, payment_id: str) -> str:
    """A payment booked on an invoice: one per payment id, so booking the same payment twice is impossible."""
    return f"{PAYMENT_PREFIX}{number}#{payment_id}"


def statement_pk(statement_id: str) -> str:
    """A bank statement's own partition: its imported mark and its unmatched credits."""
    return f"STATEMENT#{statement_id}"


STATEMENT_SK = "STATEMENT"


def credit_sk(entry_reference: str) -> str:
    return f"CREDIT#{entry_reference}"
CREDIT_NOTE_PREFIX = "CREDIT#"


def credit_note_sk(number: str) -> str:
    """A credit note's sort key and lookup key (the "CREDIT#" items an account's deletion keeps)."""
    return f"{CREDIT_NOTE_PREFIX}{number}"


def credit_ledger_sk(invoice_number: str) -> str:
    """What an invoice's credit notes credited so far: one item per invoice, the credits' serial point."""
    return f"{CREDIT_NOTE_PREFIX}LEDGER#{invoice_number}"


def credit_note_counter_pk(year: int) -> str:
    """The year's credit-note counter: their own gapless series (G2026-000001)."""
    return f"COUNTER#CREDIT_NOTE#{year}"


DOCUMENT_PDF = "document_pdf"


def document_pdf_attachment(account_id: str, number: str) -> dict[str, str]:
    """An outbox mail's reference to an issued document's PDF, rendered by the mail job when it sends."""
    return {"kind": DOCUMENT_PDF, "account_id": account_id, "number": number}


# SEPA direct debit (issue 18): the account's mandate, the references in use, the pain.008 files.
MANDATE_SK = "MANDATE"


def mandate_reference_pk(reference: str) -> str:
    return f"MANDATE_REF#{reference}"


MANDATE_REFERENCE_SK = "MANDATE_REF"


def direct_debit_pk(collection_on: str) -> str:
    """The pain.008 files of one collection day."""
    return f"DIRECT_DEBIT#{collection_on}"


def direct_debit_sk(file_id: str) -> str:
    return f"FILE#{file_id}"
