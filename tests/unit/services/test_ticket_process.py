"""A ticket's state changes with an in-memory store: which are refused, and which effects each commits."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.rules.support.process import StateChange
from shared.services.support.errors import ProcessError
from shared.services.support.process import change_state
from tests.unit.services.fakes import AGENT, FakeProcess, ticket

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def move(item: Any, wanted: str) -> tuple[StateChange, FakeProcess]:
    store = FakeProcess()
    change = change_state(item, wanted, AGENT, NOW, policy=None, store=store)  # type: ignore[arg-type]
    assert store.applied == [change] and item.state == wanted
    return change, store


@pytest.mark.parametrize(
    ("current", "wanted"),
    [("closed", "in_progress"), ("in_progress", "new"), ("in_progress", "closed"), ("new", "deleted")],
)
def test_a_change_the_process_does_not_allow_commits_nothing(current: str, wanted: str) -> None:
    store, item = FakeProcess(), ticket(current)
    with pytest.raises(ProcessError):
        change_state(item, wanted, AGENT, NOW, policy=None, store=store)  # type: ignore[arg-type]
    assert store.applied == [] and item.state == current


def test_work_does_not_start_before_the_customer_authorized_it() -> None:
    store = FakeProcess()
    with pytest.raises(ProcessError, match="authorization"):
        change_state(ticket("assigned", needs_authorization=True), "in_progress", AGENT, NOW, None, store)  # type: ignore[arg-type]
    assert store.applied == []
    change, _ = move(ticket("assigned", needs_authorization=True, authorized_at=NOW), "in_progress")
    assert change.starts_work


def test_starting_work_tells_the_customer_and_the_agent_takes_an_unassigned_ticket() -> None:
    change, _ = move(ticket("new"), "in_progress")
    assert change.starts_work and change.takes_assignment and not change.resumes_clock
    change, _ = move(ticket("assigned", assignee_id="stf_2"), "in_progress")
    assert change.starts_work and not change.takes_assignment


def test_waiting_for_the_customer_stops_the_clock_and_coming_back_restarts_it() -> None:
    change, _ = move(ticket("in_progress"), "waiting_for_customer")
    assert change.stops_first_response_watch and not change.starts_work
    change, _ = move(ticket("waiting_for_customer"), "in_progress")
    assert change.resumes_clock and change.watches_first_response_again and not change.starts_work
    change, _ = move(ticket("waiting_for_customer", first_response_at=NOW), "in_progress")
    assert change.resumes_clock and not change.watches_first_response_again


def test_solving_closing_and_reopening() -> None:
    change, _ = move(ticket("in_progress"), "solved")
    assert change.solves and not change.closes
    change, _ = move(ticket("solved"), "closed")
    assert change.closes and not change.solves
    change, _ = move(ticket("solved"), "in_progress")
    assert change.reopens and not change.starts_work
