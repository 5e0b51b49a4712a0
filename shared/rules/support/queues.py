"""The desk's queues (SPEC §13, issue 15 item 2): which index partitions each view reads, and one page of them.

A view is at most three partitions of the sparse queue indexes, each already sorted by due time; a
page merges what one Query per partition returned. Each partition keeps its own position in the
cursor, so a page never loses or repeats a ticket, and an item is shown only once every partition
that has more has been read past its due time, so the merged order is the due order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.rules.support.states import OPEN_STATES, WAITING
from shared.rules.ui_text import N_


class View(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    WAITING = "waiting"
    OPEN = "open"


VIEW_TITLES = {
    View.MINE: N_("Mine"),
    View.UNASSIGNED: N_("Unassigned"),
    View.AT_RISK: N_("At risk"),
    View.OVERDUE: N_("Overdue"),
    View.WAITING: N_("Waiting for customer"),
    View.OPEN: N_("All open"),
}
# A first response is still owed in these states (a waiting ticket's clock stands still).
OWING_STATES = ("new", "assigned", "in_progress")
MAX_PARTITIONS = 3  # ≤ 3 DynamoDB requests per page
MAX_QUERIES = 3  # the same bound, counting the Queries that refill a page a filter left short


@dataclass(frozen=True)
class Partition:
    """One Query: an index, its hash value, and what the view keeps of it.

    `due_until` keeps due times up to that moment (ISO UTC); `assignee` "" keeps the unassigned,
    None anyone; `unanswered` keeps tickets without a first response; `states` (if any) keeps those states.
    """

    index: str  # "queue" (key: a state), "open" (a region), "assignee" (a staff id) or "account" (an account id)
    key: str
    due_until: str | None = None
    assignee: str | None = None
    unanswered: bool = False
    states: tuple[str, ...] = ()

    @property
    def filtered(self) -> bool:
        """Whether the Query keeps fewer items than it reads (so it may read more to fill a page)."""
        return self.assignee is not None or self.unanswered or bool(self.states)


MINE_STATES = ("assigned", "in_progress", WAITING)


def account_partition(view: View, me: str, account_id: str, now_iso: str) -> Partition:
    """A view of one account: its open tickets' one partition, with the view's own conditions as filters.

    An account has few open tickets, so one partition (and the refills) fills its page of any view.
    """
    if view is View.MINE:
        return Partition("account", account_id, assignee=me, states=MINE_STATES)
    if view is View.UNASSIGNED:
        return Partition("account", account_id, assignee="", states=("new", WAITING))
    if view is View.OVERDUE:
        return Partition("account", account_id, due_until=now_iso, unanswered=True, states=OWING_STATES)
    if view is View.WAITING:
        return Partition("account", account_id, states=(WAITING,))
    if view is View.OPEN:
        return Partition("account", account_id)
    raise ValueError(f"{view} is not a paged view")


def view_partitions(
    view: View, me: str, region: str | None, regions: Sequence[str], now_iso: str, account_id: str | None = None
) -> list[Partition]:
    """The partitions a (paged) view reads; at risk is the notifications' own read (tickets_at_risk)."""
    if account_id:
        return [account_partition(view, me, account_id, now_iso)]
    if view is View.MINE:
        # One partition of the assignee index: it holds the open tickets someone took, and only those.
        return [Partition("assignee", me)]
    if view is View.UNASSIGNED:
        # A new ticket is nobody's; one may also wait for the customer before anyone took it.
        return [Partition("queue", "new"), Partition("queue", WAITING, assignee="")]
    if view is View.OVERDUE:
        return [Partition("queue", state, due_until=now_iso, unanswered=True) for state in OWING_STATES]
    if view is View.WAITING:
        return [Partition("queue", WAITING)]
    if view is View.OPEN:
        # One partition per region of the open index (the queue index would need one per open state).
        return [Partition("open", name) for name in ((region,) if region else tuple(regions))]
    raise ValueError(f"{view} is not a paged view")


def is_open(state: str) -> bool:
    return state in OPEN_STATES


@dataclass(frozen=True)
class Fetched:
    """What one partition's Query returned: its items (sort key, item) and where it stopped, if it has more."""

    items: Sequence[tuple[str, Any]]
    stopped_at: str | None  # the due time of the last item read when the partition has more; None: read out
    resume: Any = None  # where the partition's Query stopped (storage's key), when it has more


def merged_page(fetched: Sequence[Fetched], limit: int) -> tuple[list[Any], list[int]]:
    """The page's items in due order, and how many of each partition's items it took."""
    bounds = [part.stopped_at for part in fetched if part.stopped_at is not None]
    bound = min(bounds) if bounds else None
    candidates = sorted(
        (sort_key, index, position, item)
        for index, part in enumerate(fetched)
        for position, (sort_key, item) in enumerate(part.items)
        if bound is None or sort_key <= bound
    )
    taken = [0] * len(fetched)
    page: list[Any] = []
    for _sort_key, index, _position, item in candidates[:limit]:
        taken[index] += 1
        page.append(item)
    return page, taken


def partition_to_refill(fetched: Sequence[Fetched], limit: int, queries: int) -> int | None:
    """Which partition to read once more for a page a filter left short, if the budget allows one.

    The partition that stopped earliest bounds the page (nothing past its stop can be shown yet), so
    reading on from it is what lets more rows in; None when the page is full or every partition read out.
    """
    if queries >= MAX_QUERIES:
        return None
    page, _ = merged_page(fetched, limit)
    if len(page) >= limit:
        return None
    stopped = [(part.stopped_at, index) for index, part in enumerate(fetched) if part.stopped_at is not None]
    return min(stopped)[1] if stopped else None
