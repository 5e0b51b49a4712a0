"""The desk's queue pages on the sparse queue, open, assignee and account indexes: ≤ 3 Queries, never a Scan.

The cursor is each partition's last key read (or "read out"); it is checked against the partitions
of the view asked for before DynamoDB sees it, so a forged cursor is a refusal, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from shared.rules.support.queues import Fetched, Partition, partition_to_refill
from shared.rules.support.states import OPEN_STATES
from shared.storage.keys import support as keys
from shared.storage.models import Ticket


class BadCursor(ValueError):
    """The cursor is not one this view handed out."""


_READ_OUT = "-"


def open_index_actions(account_id: str, region: str, state: str, assignee_id: str | None) -> list[Any]:
    """The update actions that keep a ticket in (or out of) the open, assignee and account indexes.

    Written in the same updates as the queue index (every state change, assignment, reopening), so the
    three sparse indexes hold exactly the open tickets; a solved or closed ticket waits for nobody.
    """
    if state not in OPEN_STATES:
        return [Ticket.open_queue.remove(), Ticket.assignee_queue.remove(), Ticket.account_queue.remove()]
    return [
        Ticket.open_queue.set(keys.open_queue_key(region)),
        Ticket.account_queue.set(keys.account_queue_key(account_id)),
        Ticket.assignee_queue.set(keys.assignee_queue_key(assignee_id))
        if assignee_id
        else Ticket.assignee_queue.remove(),
    ]


def _hash_name(partition: Partition) -> tuple[str, str]:
    if partition.index == "open":
        return "open_queue", keys.open_queue_key(partition.key)
    if partition.index == "assignee":
        return "assignee_queue", keys.assignee_queue_key(partition.key)
    if partition.index == "account":
        return "account_queue", keys.account_queue_key(partition.key)
    return "queue_state", partition.key


_INDEXES = {"open": Ticket.open_index, "assignee": Ticket.assignee_index, "account": Ticket.account_queue_index}


def encode_cursor(positions: Sequence[dict[str, str] | str | None]) -> str | None:
    if all(position == _READ_OUT for position in positions):
        return None
    raw = json.dumps(list(positions), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, partitions: Sequence[Partition]) -> list[dict[str, str] | str | None]:
    """Each partition's start key; BadCursor unless it has exactly the view's partitions' keys."""
    if not cursor:
        return [None] * len(partitions)
    try:
        positions = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor() from exc
    if not isinstance(positions, list) or len(positions) != len(partitions):
        raise BadCursor()
    checked: list[dict[str, str] | str | None] = []
    for position, partition in zip(positions, partitions, strict=True):
        if position is None or position == _READ_OUT:
            checked.append(position)
            continue
        hash_name, hash_value = _hash_name(partition)
        wanted = {"pk", "sk", hash_name, "queue_due"}
        if (
            not isinstance(position, dict)
            or set(position) != wanted
            or not all(isinstance(value, str) and 0 < len(value) <= 200 for value in position.values())
            or position[hash_name] != hash_value
        ):
            raise BadCursor()
        checked.append(position)
    return checked


def _filter(partition: Partition, priority: str | None, region: str | None) -> Any:
    conditions: list[Any] = []
    if partition.assignee == "":
        conditions.append(Ticket.assignee_id.does_not_exist())
    elif partition.assignee is not None:
        conditions.append(Ticket.assignee_id == partition.assignee)
    if partition.unanswered:
        conditions.append(Ticket.first_response_at.does_not_exist())
    if priority:
        conditions.append(Ticket.priority == priority)
    if partition.states:
        conditions.append(Ticket.state.is_in(*partition.states))
    if region and partition.index != "open":
        conditions.append(Ticket.region == region)
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def _key_of(ticket: Ticket, partition: Partition) -> dict[str, str]:
    hash_name, hash_value = _hash_name(partition)
    return {"pk": ticket.pk, "sk": ticket.sk, hash_name: hash_value, "queue_due": str(ticket.queue_due)}


def _raw_key(position: dict[str, str]) -> dict[str, dict[str, str]]:
    return {name: {"S": value} for name, value in position.items()}


def _query(partition: Partition, start: dict[str, str] | None, limit: int, priority: str | None,
           region: str | None) -> Fetched:
    """One Query request of a partition from `start`: what it kept, and where it stopped if it has more."""
    index = _INDEXES.get(partition.index, Ticket.queue_index)
    _, hash_value = _hash_name(partition)
    range_condition = Ticket.queue_due <= partition.due_until if partition.due_until else None
    result = index.query(
        hash_value,
        range_condition,
        filter_condition=_filter(partition, priority, region),
        last_evaluated_key=_raw_key(start) if start else None,
        page_size=limit,
    )
    # The first page only: one request, however few of its items the filter kept.
    page = next(result.page_iter)
    items = [(str(ticket.queue_due), ticket) for ticket in map(Ticket.from_raw_data, page.get("Items", []))]
    last = page.get("LastEvaluatedKey")
    resume = {name: str(value["S"]) for name, value in last.items()} if last else None
    return Fetched(items=items, stopped_at=resume["queue_due"] if resume else None, resume=resume)


def read_partitions(
    partitions: Sequence[Partition],
    positions: Sequence[dict[str, str] | str | None],
    limit: int,
    priority: str | None,
    region: str | None,
    filtered_read: int | None = None,
) -> list[Fetched]:
    """One Query per partition not yet read out, then more (≤ MAX_QUERIES in all) while a filter left the page short.

    A filtered Query reads `filtered_read` items (DynamoDB's Limit counts what it reads, not what it keeps).
    """
    fetched: list[Fetched] = []
    reads = [
        filtered_read if filtered_read and (partition.filtered or priority or (region and partition.index != "open"))
        else limit
        for partition in partitions
    ]
    queries = 0
    for partition, position, read in zip(partitions, positions, reads, strict=True):
        if position == _READ_OUT:
            fetched.append(Fetched(items=(), stopped_at=None))
            continue
        fetched.append(_query(partition, position if isinstance(position, dict) else None, read, priority, region))
        queries += 1
    while (refill := partition_to_refill(fetched, limit, queries)) is not None:
        before = fetched[refill]
        more = _query(partitions[refill], before.resume, reads[refill], priority, region)
        fetched[refill] = Fetched(items=[*before.items, *more.items], stopped_at=more.stopped_at, resume=more.resume)
        queries += 1
    return fetched


def next_positions(
    partitions: Sequence[Partition],
    positions: Sequence[dict[str, str] | str | None],
    fetched: Sequence[Fetched],
    taken: Sequence[int],
) -> list[dict[str, str] | str | None]:
    """Each partition's position after the page: its last shown item, where its Query stopped, or read out."""
    moved: list[dict[str, str] | str | None] = []
    for partition, position, part, count in zip(partitions, positions, fetched, taken, strict=True):
        if position == _READ_OUT:
            moved.append(_READ_OUT)
        elif count < len(part.items):
            moved.append(_key_of(part.items[count - 1][1], partition) if count else position)
        elif part.stopped_at is None:
            moved.append(_READ_OUT)
        elif count:
            moved.append(_key_of(part.items[count - 1][1], partition))
        elif part.items:
            moved.append(position)  # none of its items shown yet: they come on a next page
        else:
            moved.append(part.resume)  # the filter kept nothing: go on from where the Query stopped
    return moved
