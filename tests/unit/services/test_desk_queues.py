"""The desk's queue pages with an in-memory store: the merge keeps due order, never loses or repeats a ticket."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from shared.rules.support.queues import Fetched, Partition, View, merged_page, view_partitions
from shared.services.support.queues import queue_page

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_merged_page_keeps_due_order_and_waits_for_a_partition_that_has_more():
    a = Fetched(items=[("01", "a1"), ("05", "a5")], stopped_at=None)
    b = Fetched(items=[("02", "b2"), ("03", "b3")], stopped_at="03")  # b has more after 03
    page, taken = merged_page([a, b], limit=4)
    assert page == ["a1", "b2", "b3"] and taken == [1, 2]  # a5 waits: b's next may come before it


def test_merged_page_takes_at_most_the_limit():
    a = Fetched(items=[("01", "a1"), ("04", "a4")], stopped_at=None)
    b = Fetched(items=[("02", "b2"), ("03", "b3")], stopped_at=None)
    assert merged_page([a, b], limit=3) == (["a1", "b2", "b3"], [1, 2])


def test_each_view_reads_at_most_three_partitions():
    regions = ("DACH", "EMEA", "USA")
    for view in (View.MINE, View.UNASSIGNED, View.OVERDUE, View.WAITING, View.OPEN):
        assert 1 <= len(view_partitions(view, "stf_1", None, regions, "2026-11-23T10:00:00Z")) <= 3
    assert view_partitions(View.OPEN, "stf_1", "USA", regions, "x") == [Partition("open", "USA")]
    # "mine" is one partition of the assignee index, keyed by the member (no filter after the read).
    assert view_partitions(View.MINE, "stf_1", None, regions, "x") == [Partition("assignee", "stf_1")]


def _ticket(number: str, hours: int) -> Any:
    due = NOW + timedelta(hours=hours)
    return SimpleNamespace(
        number=number, subject="s", state="new", priority="normal", region="DACH", account_id="acc",
        assignee_name=None, first_response_due=due, first_response_at=None, queue_due=due.isoformat(),
    )


class FakeQueues:
    """Partitions as sorted lists; a position is how many items of a partition were read."""

    def __init__(self, partitions: dict[str, list[Any]]) -> None:
        self.partitions = partitions
        self.reads = 0

    def decode_cursor(self, cursor: str, partitions: Sequence[Partition]) -> list[Any]:
        return [int(part) for part in cursor.split(",")] if cursor else [0] * len(partitions)

    def read_partitions(self, partitions, positions, limit, priority, region, filtered_read=None) -> list[Fetched]:
        fetched = []
        for partition, position in zip(partitions, positions, strict=True):
            self.reads += 1
            items = self.partitions[partition.key][position : position + limit]
            more = position + limit < len(self.partitions[partition.key])
            fetched.append(Fetched([(t.queue_due, t) for t in items], items[-1].queue_due if more else None))
        return fetched

    def next_cursor(self, partitions, positions, fetched, taken) -> str | None:
        moved = [position + count for position, count in zip(positions, taken, strict=True)]
        done = all(m >= len(self.partitions[p.key]) for m, p in zip(moved, partitions, strict=True))
        return None if done else ",".join(map(str, moved))


@pytest.fixture
def policy() -> Any:
    from shared.policy import get_policy

    base = get_policy()
    return base.model_copy(update={"support": base.support.model_copy(update={"desk_page_size": 2})})


def test_paging_the_open_view_shows_every_ticket_once_in_due_order(policy):
    store = FakeQueues({
        "DACH": [_ticket("d1", 1), _ticket("d4", 4), _ticket("d5", 5)],
        "EMEA": [_ticket("e2", 2), _ticket("e3", 3)],
        "USA": [_ticket("u6", 6)],
    })
    seen: list[str] = []
    cursor = ""
    while True:
        store.reads = 0
        page = queue_page(View.OPEN, "stf_1", NOW, policy, cursor=cursor, store=store)
        assert store.reads <= 3
        seen += [row.number for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ["d1", "e2", "e3", "d4", "d5", "u6"]
