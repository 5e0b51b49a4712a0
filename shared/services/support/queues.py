"""The desk's queues (issue 15 item 2): a page of one view, by due time, with each ticket's SLA countdown.

The view's partitions are the rules' (shared/rules/support/queues.py); a `QueueStore` (storage by
default, a fake in unit tests) reads one Query per partition; at risk is the notifications' own read.
The countdown is in the ticket's region's support hours, so it stands still at night and on holidays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from shared.rules.clock import utc_iso
from shared.rules.support.queues import Fetched, Partition, View, merged_page, view_partitions

if TYPE_CHECKING:
    from shared.policy import Policy


class BadCursor(ValueError):
    """The page's cursor is not one this view handed out."""


class QueueStore(Protocol):
    def decode_cursor(self, cursor: str, partitions: Sequence[Partition]) -> list[Any]: ...
    def read_partitions(
        self, partitions: Sequence[Partition], positions: Sequence[Any], limit: int, priority: str | None,
        region: str | None, filtered_read: int | None = None,
    ) -> list[Fetched]: ...
    def next_cursor(
        self, partitions: Sequence[Partition], positions: Sequence[Any], fetched: Sequence[Fetched],
        taken: Sequence[int],
    ) -> str | None: ...


class StoredQueues:
    """The queue store on DynamoDB: storage's functions, imported when first used (cold start)."""

    def decode_cursor(self, cursor: str, partitions: Sequence[Partition]) -> list[Any]:
        from shared.storage import desk_queues

        try:
            return desk_queues.decode_cursor(cursor, partitions)
        except desk_queues.BadCursor as exc:
            raise BadCursor() from exc

    def read_partitions(
        self, partitions: Sequence[Partition], positions: Sequence[Any], limit: int, priority: str | None,
        region: str | None, filtered_read: int | None = None,
    ) -> list[Fetched]:
        from shared.storage.desk_queues import read_partitions

        return read_partitions(partitions, positions, limit, priority, region, filtered_read)

    def next_cursor(
        self, partitions: Sequence[Partition], positions: Sequence[Any], fetched: Sequence[Fetched],
        taken: Sequence[int],
    ) -> str | None:
        from shared.storage.desk_queues import encode_cursor, next_positions

        return encode_cursor(next_positions(partitions, positions, fetched, taken))


@dataclass(frozen=True)
class QueueRow:
    number: str
    subject: str
    state: str
    priority: str
    region: str
    account_id: str
    assignee: str | None
    due: datetime
    hours_left: Decimal  # support hours until the first response is due; negative: overdue by as many
    answered: bool


@dataclass(frozen=True)
class QueuePage:
    view: View
    rows: list[QueueRow]
    next_cursor: str | None


def hours_left(due: datetime, region: str, now: datetime) -> Decimal:
    """Support hours from now to the due time in the region's calendar (negative once it has passed)."""
    from shared.derived import support_calendar
    from shared.rules.support_hours import support_hours_between

    calendar = support_calendar(region)
    if due >= now:
        return support_hours_between(now, due, calendar)
    return -support_hours_between(due, now, calendar)


def in_region(moment: datetime, region: str) -> datetime:
    """A moment as the region's agents read it (their support hours' zone)."""
    from shared.derived import support_calendar

    return moment.astimezone(support_calendar(region).zone)


def row_of(ticket: Any, now: datetime) -> QueueRow:
    return QueueRow(
        number=ticket.number,
        subject=ticket.subject,
        state=ticket.state,
        priority=ticket.priority,
        region=ticket.region,
        account_id=ticket.account_id,
        assignee=ticket.assignee_name,
        due=in_region(ticket.first_response_due, ticket.region),
        hours_left=hours_left(ticket.first_response_due, ticket.region, now),
        answered=ticket.first_response_at is not None,
    )


def queue_page(
    view: View,
    me: str,
    now: datetime,
    policy: Policy,
    *,
    priority: str | None = None,
    region: str | None = None,
    account_id: str | None = None,
    cursor: str = "",
    store: QueueStore | None = None,
) -> QueuePage:
    """One page of the view (policy support.desk_page_size tickets at most), by due time."""
    limit = policy.support.desk_page_size
    if view is View.AT_RISK:
        from shared.services.support.notifications import tickets_at_risk

        # At risk is a window of the next working hours: small, read whole by the notifications' one read.
        risky = [
            t for t in tickets_at_risk(now, policy)
            if (priority is None or t.priority == priority) and (region is None or t.region == region)
            and (account_id is None or t.account_id == account_id)
        ]
        return QueuePage(view, [row_of(t, now) for t in risky[:limit]], None)
    store = store or StoredQueues()
    partitions = view_partitions(view, me, region, tuple(policy.support.regions), utc_iso(now), account_id)
    positions = store.decode_cursor(cursor, partitions)
    fetched = store.read_partitions(partitions, positions, limit, priority, region, policy.support.desk_filtered_read)
    tickets, taken = merged_page(fetched, limit)
    following = store.next_cursor(partitions, positions, fetched, taken)
    return QueuePage(view, [row_of(t, now) for t in tickets], following)
