"""The credit-note rules without a database: what is left to credit, partial lines, the VAT cap, numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D  # noqa: N817 - amounts read like the invoice

import pytest

from shared.rules.billing import BillingMonth, Invoice, InvoiceDraft, InvoiceLine, Party
from shared.rules.billing.credit_notes import (
    CreditedSoFar,
    CreditRefused,
    credit_note,
    format_credit_note_number,
    is_credit_note_number,
)

SELLER = Party("Cocoon CRM GmbH", "Königstraße 1", "70173", "Stuttgart", "DE", "DE136695976")
BUYER = Party("Müller GmbH", "Hauptstraße 5", "80331", "München", "DE")
NOTHING = CreditedSoFar(lines={})


def an_invoice(*amounts: str) -> Invoice:
    lines = tuple(
        InvoiceLine("seats", f"line {i}", D(1), D(a), D(a), "MON", f"why {i}") for i, a in enumerate(amounts, 1)
    )
    net = sum((line.amount for line in lines), D("0.00"))
    vat = (net * D("0.19")).quantize(D("0.01"))
    draft = InvoiceDraft(
        "acc-1",
        BillingMonth(2026, 3),
        date(2026, 3, 1),
        date(2026, 3, 31),
        lines,
        net,
        D("19.00"),
        vat,
        net + vat,
        "EUR",
        "domestic",
        "S",
        None,
        None,
        (),
        SELLER,
        BUYER,
        "de",
        (),
    )
    return Invoice("2026-000007", date(2026, 4, 1), date(2026, 4, 15), draft)


def test_a_full_credit_reverses_everything_in_its_own_series() -> None:
    invoice = an_invoice("48.00", "19.00")
    note, after = credit_note(invoice, NOTHING, number="G2026-000001", issued_on=date(2026, 4, 5), reason="x")
    assert (note.draft.net, note.draft.vat, note.draft.total) == (D("-67.00"), D("-12.73"), D("-79.73"))
    assert note.document_type == "credit_note" and note.corrects_number == "2026-000007"
    assert after.net == D("67.00") and after.vat == D("12.73")
    with pytest.raises(CreditRefused, match="nothing is left") as refused:
        credit_note(invoice, after, number="G2026-000002", issued_on=date(2026, 4, 5), reason="again")
    assert refused.value.field == "lines"


def test_a_partial_amount_is_one_unit_at_the_credited_price() -> None:
    invoice = an_invoice("48.00", "19.00")
    note, after = credit_note(
        invoice, NOTHING, number="G2026-000001", issued_on=date(2026, 4, 5), reason="x", amounts={1: D("10.00")}
    )
    line = note.draft.lines[0]
    assert (line.quantity, line.unit_price, line.amount) == (D(-1), D("10.00"), D("-10.00"))
    assert after.lines == {0: D("10.00"), 1: D("0.00")}
    with pytest.raises(CreditRefused, match=r"only 38\.00") as refused:
        credit_note(
            invoice, after, number="G2026-000002", issued_on=date(2026, 4, 5), reason="y", amounts={1: D("38.01")}
        )
    assert refused.value.field == "lines.1.amount"


def test_rounding_over_partial_credits_never_credits_more_vat_than_invoiced() -> None:
    invoice = an_invoice("0.06")  # VAT 0.01; half of it twice would round to 0.01 each
    credited = NOTHING
    for number in ("G2026-000001", "G2026-000002"):
        _, credited = credit_note(
            invoice, credited, number=number, issued_on=date(2026, 4, 5), reason="x", amounts={1: D("0.03")}
        )
    assert credited.vat == invoice.draft.vat == D("0.01")


@pytest.mark.parametrize(
    ("amounts", "field"),
    [({3: None}, "lines.3"), ({1: D("-1.00")}, "lines.1.amount"), ({1: D("0.001")}, "lines.1.amount"), ({}, "lines")],
)
def test_bad_credits_name_the_field(amounts: dict[int, D | None], field: str) -> None:
    with pytest.raises(CreditRefused) as refused:
        credit_note(
            an_invoice("48.00"), NOTHING, number="G2026-000001", issued_on=date(2026, 4, 5), reason="x", amounts=amounts
        )
    assert refused.value.field == field


def test_credit_note_numbers() -> None:
    assert format_credit_note_number(2026, 1) == "G2026-000001"
    assert is_credit_note_number("G2026-000001") and not is_credit_note_number("2026-000001")
    assert not is_credit_note_number("G2026-000000")
