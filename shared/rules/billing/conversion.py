"""Trial → paid: the first paid day is an account rule (shared.rules.accounts.dates.first_paid_day)."""

from __future__ import annotations

from datetime import date

from shared.rules.accounts.dates import first_paid_day


# bridge: remove when billing's callers and tests/unit/test_billing.py name first_paid_day
def paid_from_for_conversion(trial_last_day: date, converted_on: date) -> date:
    return first_paid_day(trial_last_day, converted_on)
