"""How big an item is in DynamoDB's own reckoning, so we refuse before writing what DynamoDB would refuse.

DynamoDB refuses an item over 400 KB with a ValidationException; found after blobs were written, that
was a 500 and orphan blobs. Sizes follow DynamoDB's rules: attribute names count, strings in UTF-8,
lists and maps 3 bytes plus one per element.
"""

from __future__ import annotations

from typing import Any

DYNAMODB_ITEM_LIMIT = 400 * 1024
# Room for what later updates add to a stored item (assignee, states, moments, counters).
ITEM_BUDGET = DYNAMODB_ITEM_LIMIT - 8 * 1024


class ItemTooLarge(Exception):
    """An item would pass DynamoDB's limit; `field` names the caller's field that made it so."""

    def __init__(self, field: str, size: int) -> None:
        super().__init__(f"item of {size} bytes is over the limit of {ITEM_BUDGET} bytes ({field})")
        self.field = field
        self.size = size


def _value_bytes(value: dict[str, Any]) -> int:
    ((kind, data),) = value.items()
    if kind == "S":
        return len(str(data).encode("utf-8"))
    if kind in ("N", "B"):
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v).encode("utf-8")) for v in data)
    if kind == "L":
        return 3 + sum(1 + _value_bytes(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + _value_bytes(v) for k, v in data.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_bytes(item: Any) -> int:
    """The stored size of a PynamoDB model instance."""
    return sum(len(name.encode("utf-8")) + _value_bytes(value) for name, value in item.serialize().items())


def refuse_if_too_large(item: Any, field: str) -> None:
    size = item_bytes(item)
    if size > ITEM_BUDGET:
        raise ItemTooLarge(field, size)
