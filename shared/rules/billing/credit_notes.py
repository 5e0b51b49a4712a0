"""Credit notes for an issued invoice: what may still be credited, and the credit note itself.

Decisions (README, "Credit notes"):

* Numbers: their own gapless series per year, ``G2026-000001`` ("G" for Gutschrift), so an invoice
  number and a credit-note number can never be confused and each series stays gapless alone.
* What is left to credit is kept per invoice line (net amounts) and for the VAT: a line can be
  credited in parts by several credit notes, never beyond its amount. The VAT of a credit note is
  computed on its net, capped at the VAT still left, and a credit note that empties the invoice
  takes exactly the VAT left - so rounding over many partial credits never credits a cent too much.
* A line credited in full is the negated line (same quantity and unit price); a partial amount is
  one unit at the credited price, so quantity × unit price = amount holds on every line.
* Lines are named by their position on the invoice (1-based, as in the e-invoice's BT-126).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from shared.rules.billing.documents import Invoice, credit_note_for
from shared.rules.billing.money import round_cents
from shared.rules.billing.vat import vat_amount

CREDIT_NOTE_PREFIX = "G"
_CREDIT_NOTE_NUMBER = re.compile(r"^G(\d{4})-(\d{6})$")
ZERO = Decimal("0.00")


class CreditRefused(ValueError):
    """The credit asked for is not possible; ``field`` names the part of the request that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def format_credit_note_number(year: int, sequence: int) -> str:
    """``G<year>-<sequence>``: the credit notes' own gapless series per year, e.g. ``G2026-000001``."""
    if not 1 <= year <= 9999 or not 1 <= sequence <= 999_999:
        raise ValueError(f"no credit-note number for year {year}, sequence {sequence}")
    return f"{CREDIT_NOTE_PREFIX}{year:04d}-{sequence:06d}"


def is_credit_note_number(number: str) -> bool:
    match = _CREDIT_NOTE_NUMBER.match(number)
    return match is not None and int(match.group(2)) > 0


@dataclass(frozen=True)
class CreditedSoFar:
    """What the invoice's earlier credit notes credited: net per line index (0-based) and VAT."""

    lines: Mapping[int, Decimal]
    vat: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return sum(self.lines.values(), ZERO)


def left_to_credit(invoice: Invoice, credited: CreditedSoFar) -> dict[int, Decimal]:
    """Per line (0-based index), the net amount that may still be credited."""
    return {i: line.amount - credited.lines.get(i, ZERO) for i, line in enumerate(invoice.draft.lines)}


def credit_note(
    invoice: Invoice,
    credited: CreditedSoFar,
    *,
    number: str,
    issued_on: date,
    reason: str,
    amounts: Mapping[int, Decimal | None] | None = None,
) -> tuple[Invoice, CreditedSoFar]:
    """The credit note and what is credited after it.

    ``amounts`` maps 1-based line positions to the net amount to credit (None: all that is left of
    the line); None credits everything that is left. Raises CreditRefused naming the field.
    """
    left = left_to_credit(invoice, credited)
    wanted: dict[int, Decimal] = {}
    if amounts is None:
        wanted = {i: amount for i, amount in left.items() if amount > 0}
    else:
        if not amounts:
            raise CreditRefused("lines", "name at least one line to credit")
        for position, amount in amounts.items():
            index = position - 1
            if index not in left:
                raise CreditRefused(f"lines.{position}", f"the invoice has no line {position}")
            value = left[index] if amount is None else amount
            if value != round_cents(value):
                raise CreditRefused(f"lines.{position}.amount", "an amount has at most two decimals")
            if value <= 0:
                raise CreditRefused(f"lines.{position}.amount", "the amount to credit must be positive")
            if value > left[index]:
                raise CreditRefused(
                    f"lines.{position}.amount", f"only {left[index]:f} of line {position} is left to credit"
                )
            wanted[index] = value
    if not wanted:
        raise CreditRefused("lines", "nothing is left to credit on this invoice")

    base = credit_note_for(invoice, number=number, issued_on=issued_on, reason=reason, line_indexes=sorted(wanted))
    lines = []
    for index, line in zip(sorted(wanted), base.draft.lines, strict=True):
        value = wanted[index]
        if value != invoice.draft.lines[index].amount:  # a part of the line: one unit at the credited price
            line = replace(
                line, quantity=Decimal(-1), unit_price=value, amount=-value, explain=f"Partial {line.explain}"
            )
        lines.append(line)
    net = sum((line.amount for line in lines), ZERO)
    vat_left = invoice.draft.vat - credited.vat
    empties = all(wanted.get(i, ZERO) == amount for i, amount in left.items())
    vat = -vat_left if empties else -min(-vat_amount(net, invoice.draft.vat_rate), vat_left)
    note = replace(base, draft=replace(base.draft, lines=tuple(lines), net=net, vat=vat, total=net + vat))
    after = CreditedSoFar(
        lines={i: credited.lines.get(i, ZERO) + wanted.get(i, ZERO) for i in left},
        vat=credited.vat - vat,
    )
    return note, after
