"""Issued documents: invoice numbers, issued invoices (never changed) and credit notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from shared.rules.billing.drafts import InvoiceDraft, InvoiceLine
from shared.rules.billing.months import BillingMonth
from shared.rules.billing.parties import Party
from shared.rules.billing.vat import vat_amount

DocumentType = Literal["invoice", "credit_note"]

_INVOICE_NUMBER = re.compile(r"^(\d{4})-(\d{6})$")


def format_invoice_number(year: int, sequence: int) -> str:
    """Invoice/credit-note number: year and a gapless per-year sequence, e.g. ``2026-000001``."""
    if not 1 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"sequence must be 1..999999, got {sequence}")
    return f"{year:04d}-{sequence:06d}"


def parse_invoice_number(number: str) -> tuple[int, int]:
    """Year and sequence of a document number (the inverse of :func:`format_invoice_number`)."""
    match = _INVOICE_NUMBER.match(number)
    if not match or int(match.group(2)) == 0:
        raise ValueError(f"not an invoice number: {number!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class DirectDebitMandate:
    """The SEPA direct-debit mandate an invoice is paid under (BG-19), as it was live when the invoice was issued.

    Recorded in the issued document, so revoking the mandate later never changes what was issued.
    """

    mandate_reference: str  # BT-89
    creditor_identifier: str  # BT-90, ours (policy)
    debtor_iban: str  # BT-91, the debited account

    @property
    def account_ending(self) -> str:
        """The last 4 characters of the debited IBAN: what a printed page shows of it, never the whole IBAN."""
        return self.debtor_iban[-4:]


@dataclass(frozen=True)
class Invoice:
    """An issued invoice or credit note: numbered, dated and never changed afterwards."""

    number: str
    issued_on: date
    due_on: date
    draft: InvoiceDraft
    document_type: DocumentType = "invoice"
    corrects_number: str | None = None
    corrects_issued_on: date | None = None
    # A credit note never carries one: it is refunded, not debited (credit_note_for leaves it out).
    direct_debit: DirectDebitMandate | None = None

    def __post_init__(self) -> None:
        own_series = self.document_type == "credit_note" and self.number.startswith("G")  # G2026-000001
        parse_invoice_number(self.number[1:] if own_series else self.number)
        if self.draft.is_preview:
            raise ValueError("a preview cannot be issued as an invoice")
        if self.document_type == "credit_note" and not self.corrects_number:
            raise ValueError("a credit note must reference the invoice it corrects")
        if self.document_type == "credit_note" and self.direct_debit is not None:
            raise ValueError("a credit note is refunded, never debited under a mandate")

    @property
    def seller(self) -> Party:
        return self.draft.seller

    @property
    def buyer(self) -> Party:
        return self.draft.buyer

    @property
    def month(self) -> BillingMonth:
        return self.draft.month


def issue_invoice(
    draft: InvoiceDraft,
    *,
    number: str,
    issued_on: date,
    payment_terms_days: int,
    direct_debit: DirectDebitMandate | None = None,
) -> Invoice:
    """Turn a draft into the issued invoice once the store has assigned its number atomically.

    ``direct_debit`` is the account's mandate live at issue: the invoice is then collected on its due date.
    """
    return Invoice(
        number=number,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=payment_terms_days),
        draft=draft,
        direct_debit=direct_debit,
    )


def _negated(line: InvoiceLine) -> InvoiceLine:
    """The credit for a line: the same unit price, negated quantity and amount."""
    return replace(
        line,
        quantity=-line.quantity,
        amount=-line.amount,
        explain=f"Credit for: {line.explain}",
    )


def credit_note_for(
    invoice: Invoice,
    *,
    number: str,
    issued_on: date,
    reason: str,
    line_indexes: Sequence[int] | None = None,
) -> Invoice:
    """A credit note that reverses ``invoice`` (or only the lines at ``line_indexes``).

    Amounts are negated (unit prices stay positive); the VAT treatment, rate and notes of the
    original stay, and the VAT is recomputed on the credited net, so a full reversal credits
    exactly the invoiced VAT.
    """
    if invoice.document_type != "invoice":
        raise ValueError("only an invoice can be credited")
    original = invoice.draft
    if line_indexes is None:
        chosen = original.lines
    else:
        if not line_indexes or len(set(line_indexes)) != len(line_indexes):
            raise ValueError("line_indexes must name each credited line once")
        chosen = tuple(original.lines[i] for i in line_indexes)
    lines = tuple(_negated(line) for line in chosen)
    net = sum((line.amount for line in lines), Decimal("0.00"))
    vat = vat_amount(net, original.vat_rate)
    reference = f"Gutschrift zur Rechnung / credit note for invoice {invoice.number} of {invoice.issued_on}"
    draft = replace(
        original,
        lines=lines,
        net=net,
        vat=vat,
        total=net + vat,
        notes=(*original.notes, f"{reference}: {reason}"),
        explain=(f"{reference}: {reason}", *original.explain),
    )
    return Invoice(
        number=number,
        issued_on=issued_on,
        due_on=issued_on,
        draft=draft,
        document_type="credit_note",
        corrects_number=invoice.number,
        corrects_issued_on=invoice.issued_on,
    )
