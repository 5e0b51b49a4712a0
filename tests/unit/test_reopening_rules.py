"""A customer's message to a solved ticket reopens it within the policy's days; closed stays closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.rules.support.reopening import CustomerWrite, customer_write, reopen_deadline

SOLVED_AT = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def test_an_open_ticket_takes_the_message() -> None:
    for state in ("new", "assigned", "in_progress", "waiting_for_customer"):
        assert customer_write(state, None, SOLVED_AT, 7) is CustomerWrite.ADDS


def test_a_solved_ticket_reopens_until_its_last_moment() -> None:
    assert customer_write("solved", SOLVED_AT, SOLVED_AT + timedelta(days=2), 7) is CustomerWrite.REOPENS
    last = SOLVED_AT + timedelta(days=7) - timedelta(seconds=1)
    assert customer_write("solved", SOLVED_AT, last, 7) is CustomerWrite.REOPENS
    assert customer_write("solved", SOLVED_AT, SOLVED_AT + timedelta(days=7), 7) is CustomerWrite.REFUSED


def test_closed_and_unknown_solving_moments_are_refused() -> None:
    assert customer_write("closed", SOLVED_AT, SOLVED_AT, 7) is CustomerWrite.REFUSED
    assert customer_write("solved", None, SOLVED_AT, 7) is CustomerWrite.REFUSED  # fail closed
    assert reopen_deadline(SOLVED_AT, 7) == SOLVED_AT + timedelta(days=7)
    assert reopen_deadline(None, 7) is None
