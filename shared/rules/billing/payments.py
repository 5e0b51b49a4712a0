"""Whether an invoice is paid: its payment state from amounts, its due date and "today" (SPEC §15).

Pure: the amounts paid, the due date, the write-off and today are parameters. An issued invoice never
changes; what was paid is kept beside it, and its state is derived here, never stored as truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

PaymentState = Literal["open", "paid", "partly_paid", "overdue", "written_off"]

# Aging of open items (days past the due date), the buckets a dunning clerk reads: the last has no end.
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    (">90", 91, None),
)


class PaymentRefused(ValueError):
    """A payment that cannot be booked; `field` names the input that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def open_amount(total: Decimal, paid: Decimal) -> Decimal:
    """What is still owed (never negative: a payment over the open amount is refused before it is booked)."""
    return max(total - paid, Decimal(0))


def payment_state(total: Decimal, paid: Decimal, due_on: date, today: date, *, written_off: bool) -> PaymentState:
    """open / paid / partly_paid / overdue / written_off.

    Paid in full wins over everything; a write-off ends what is left. An unpaid remainder after the
    due date is overdue, partly paid or not (the reminder names the open amount).
    """
    if paid >= total:
        return "paid"
    if written_off:
        return "written_off"
    if today > due_on:
        return "overdue"
    return "partly_paid" if paid > 0 else "open"


def check_payment(amount: Decimal, total: Decimal, paid: Decimal, *, written_off: bool) -> None:
    """Refuse a payment that is not positive, on a written-off invoice, or over the open amount."""
    if amount <= 0:
        raise PaymentRefused("amount", "A payment must be a positive amount.")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]  # finite amounts have an int exponent
        raise PaymentRefused("amount", "A payment has at most two decimal places.")
    if written_off:
        raise PaymentRefused("number", "The invoice is written off: nothing more can be booked on it.")
    if amount > open_amount(total, paid):
        raise PaymentRefused("amount", f"The payment is over the invoice's open amount ({open_amount(total, paid)}).")


def aging_bucket(due_on: date, today: date) -> str:
    """The aging bucket of an open item: days past its due date (an item not yet due is in the first)."""
    days = max((today - due_on).days, 0)
    for name, lowest, highest in AGING_BUCKETS:
        if days >= lowest and (highest is None or days <= highest):
            return name
    raise AssertionError("the last bucket has no end")  # pragma: no cover


@dataclass(frozen=True)
class DunningLevel:
    """One step of dunning: its name (the mail's template), days after the due date, its fee."""

    name: str
    days_after_due: int
    fee: Decimal


def dunning_levels_reached(levels: Sequence[DunningLevel], due_on: date, today: date) -> int:
    """How many of the (ordered) levels are due by today: the job sends each one once."""
    return sum(1 for level in levels if (today - due_on).days >= level.days_after_due)
