"""The queues' pure rules for the account filter and for refilling a short page (no database)."""

from __future__ import annotations

from shared.rules.support.queues import (
    MAX_QUERIES,
    Fetched,
    Partition,
    View,
    account_partition,
    partition_to_refill,
    view_partitions,
)

REGIONS = ("DACH", "EMEA", "USA")
NOW = "2026-11-23T10:00:00Z"


def test_an_account_filter_is_one_partition_of_the_account_index_for_every_paged_view():
    for view in (View.MINE, View.UNASSIGNED, View.OVERDUE, View.WAITING, View.OPEN):
        (partition,) = view_partitions(view, "stf_1", None, REGIONS, NOW, "acc_1")
        assert partition.index == "account" and partition.key == "acc_1"
    assert account_partition(View.MINE, "stf_1", "acc_1", NOW).assignee == "stf_1"
    assert account_partition(View.UNASSIGNED, "stf_1", "acc_1", NOW).assignee == ""
    overdue = account_partition(View.OVERDUE, "stf_1", "acc_1", NOW)
    assert overdue.due_until == NOW and overdue.unanswered and "waiting_for_customer" not in overdue.states
    assert account_partition(View.WAITING, "stf_1", "acc_1", NOW).states == ("waiting_for_customer",)
    assert not account_partition(View.OPEN, "stf_1", "acc_1", NOW).filtered


def test_mine_is_one_partition_of_the_assignee_index():
    assert view_partitions(View.MINE, "stf_1", None, REGIONS, NOW) == [Partition("assignee", "stf_1")]


def _items(*dues: str) -> list[tuple[str, object]]:
    return [(due, due) for due in dues]


def test_a_short_page_reads_on_from_the_partition_that_bounds_it():
    fetched = [Fetched(_items("01", "05"), stopped_at="05"), Fetched(_items("02"), stopped_at="03")]
    assert partition_to_refill(fetched, limit=5, queries=2) == 1  # stopped earliest: nothing past 03 can show
    assert partition_to_refill(fetched, limit=5, queries=MAX_QUERIES) is None  # the budget is spent


def test_a_full_or_read_out_page_reads_no_more():
    assert partition_to_refill([Fetched(_items("01", "02"), stopped_at="02")], limit=2, queries=1) is None
    assert partition_to_refill([Fetched(_items("01"), stopped_at=None)], limit=2, queries=1) is None
