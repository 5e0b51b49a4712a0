"""The payment rules: an invoice's state from amounts, due date and today; aging; dunning levels."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.policy import get_policy
from shared.rules.billing.payments import (
    DunningLevel,
    PaymentRefused,
    aging_bucket,
    check_payment,
    dunning_levels_reached,
    open_amount,
    payment_state,
)

DUE = date(2026, 12, 15)
TOTAL = Decimal("119.00")


@pytest.mark.parametrize(
    ("paid", "today", "written_off", "expected"),
    [
        ("0", date(2026, 12, 1), False, "open"),
        ("0", DUE, False, "open"),
        ("50.00", date(2026, 12, 1), False, "partly_paid"),
        ("0", date(2026, 12, 16), False, "overdue"),
        ("50.00", date(2026, 12, 16), False, "overdue"),
        ("119.00", date(2027, 3, 1), False, "paid"),
        ("0", date(2027, 3, 1), True, "written_off"),
        ("119.00", date(2027, 3, 1), True, "paid"),
    ],
)
def test_the_state_follows_amounts_due_date_and_today(paid, today, written_off, expected):
    assert payment_state(TOTAL, Decimal(paid), DUE, today, written_off=written_off) == expected


def test_a_payment_over_the_open_amount_is_refused_naming_the_amount():
    with pytest.raises(PaymentRefused) as refused:
        check_payment(Decimal("70.00"), TOTAL, Decimal("50.00"), written_off=False)
    assert refused.value.field == "amount"
    check_payment(Decimal("69.00"), TOTAL, Decimal("50.00"), written_off=False)
    assert open_amount(TOTAL, Decimal("50.00")) == Decimal("69.00")


@pytest.mark.parametrize("amount", ["0", "-1.00", "1.001"])
def test_no_zero_negative_or_sub_cent_payment(amount):
    with pytest.raises(PaymentRefused):
        check_payment(Decimal(amount), TOTAL, Decimal(0), written_off=False)


def test_nothing_is_booked_on_a_written_off_invoice():
    with pytest.raises(PaymentRefused):
        check_payment(Decimal("1.00"), TOTAL, Decimal(0), written_off=True)


@pytest.mark.parametrize(
    ("today", "bucket"),
    [
        (date(2026, 12, 1), "0-30"),
        (date(2027, 1, 14), "0-30"),
        (date(2027, 1, 15), "31-60"),
        (date(2027, 2, 13), "31-60"),
        (date(2027, 2, 14), "61-90"),
        (date(2027, 3, 15), "61-90"),
        (date(2027, 3, 16), ">90"),
    ],
)
def test_aging_buckets_count_days_past_due(today, bucket):
    assert aging_bucket(DUE, today) == bucket


def test_dunning_levels_come_from_the_policy_days():
    policy = get_policy().billing.dunning
    levels = [DunningLevel(step.name, step.days_after_due, step.fee) for step in policy.levels]
    assert [level.days_after_due for level in levels] == [7, 21, 35]
    assert policy.suspend_after_days == 45
    assert dunning_levels_reached(levels, DUE, date(2026, 12, 21)) == 0
    assert dunning_levels_reached(levels, DUE, date(2026, 12, 22)) == 1
    assert dunning_levels_reached(levels, DUE, date(2027, 1, 5)) == 2
    assert dunning_levels_reached(levels, DUE, date(2027, 1, 19)) == 3
