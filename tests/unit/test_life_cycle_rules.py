"""The account rules: live states, first paid day, the moment after a last day, the deletion day, stale actions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.rules.accounts.dates import deletion_day, first_paid_day, moment_after
from shared.rules.accounts.life_cycle import UnknownLifeCycleAction, life_cycle_action_applies
from shared.rules.accounts.states import ACCOUNT_STATES, is_live

BERLIN = ZoneInfo("Europe/Berlin")


def test_only_trials_and_customers_are_live_and_unknown_states_are_not() -> None:
    assert [state for state in ACCOUNT_STATES if is_live(state)] == ["trial", "customer"]
    assert not is_live(None) and not is_live("Customer") and not is_live("suspended")


def test_converting_during_the_trial_keeps_the_free_days_and_after_it_pays_from_that_day() -> None:
    assert first_paid_day(date(2026, 2, 28), date(2026, 2, 10)) == date(2026, 3, 1)
    assert first_paid_day(date(2026, 2, 28), date(2026, 2, 28)) == date(2026, 3, 1)
    assert first_paid_day(date(2026, 2, 28), date(2026, 3, 5)) == date(2026, 3, 5)
    assert first_paid_day(None, date(2026, 3, 5)) == date(2026, 3, 5)


def test_a_last_day_ends_at_midnight_after_it_in_berlin_even_on_the_daylight_saving_day() -> None:
    assert moment_after(date(2026, 3, 28), BERLIN).astimezone(UTC) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert moment_after(date(2026, 3, 29), BERLIN).astimezone(UTC) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_deletion_follows_the_retention_days_after_deactivation() -> None:
    assert deletion_day(date(2026, 1, 31), 180) == date(2026, 7, 30)


@pytest.mark.parametrize(
    ("action", "applies_in"),
    [
        ("purge-unverified", {None, "pending_verification"}),
        ("cancellation-effective", {"customer"}),
        ("deletion-warning", {"deactivated"}),
        ("purge", {None, "deactivated"}),
    ],
)
def test_a_scheduled_action_applies_only_in_its_states(action: str, applies_in: set[str | None]) -> None:
    for state in (None, *ACCOUNT_STATES, "something_new"):
        assert life_cycle_action_applies(action, state) == (state in applies_in)


def test_an_unknown_action_is_an_error_not_a_silent_act() -> None:
    with pytest.raises(UnknownLifeCycleAction):
        life_cycle_action_applies("purge-everything", "deactivated")
