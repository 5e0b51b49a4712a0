"""Money and quantities: rounding to the cent and the decimal strings of invoices."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round_cents(amount: Decimal) -> Decimal:
    """Round to the cent, half up (0.005 → 0.01), the way German invoices are expected to round."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(amount: Decimal) -> str:
    """An amount as the decimal string of the HTTP contract: ``"39.90"`` (never ``"-0.00"``)."""
    value = round_cents(amount)
    if value == 0:
        value = abs(value)
    return f"{value:f}"


def quantity_str(quantity: Decimal) -> str:
    """A quantity without float noise or exponent: ``"2"``, ``"1.5"``."""
    normalized = quantity.normalize()
    if normalized == 0:
        return "0"
    return f"{normalized:f}"
