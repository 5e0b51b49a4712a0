"""Trial → paid: the first paid day."""

from __future__ import annotations

from datetime import date, timedelta


def paid_from_for_conversion(trial_last_day: date, converted_on: date) -> date:
    """First paid day (SPEC §2): converting during the trial keeps the free days, so paid service
    starts the day after the trial's last day; a conversion after the trial (staff reactivation)
    starts paid service on the day of conversion."""
    if converted_on <= trial_last_day:
        return trial_last_day + timedelta(days=1)
    return converted_on
