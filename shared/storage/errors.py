"""What storage raises: PynamoDB's errors never leave shared/storage, these do (issue 14).

A refused condition and a contended transaction are outcomes a caller decides on; anything else
DynamoDB answered (throttled, unreachable, a bad request) is `StorageUnavailable`: the write may
not have happened, and no caller may read it as "someone else got there first".
"""

from __future__ import annotations

from typing import Any

CONDITION_FAILED_CODE = "ConditionalCheckFailedException"


class StorageError(Exception):
    """The base of every storage error."""


class ConditionFailed(StorageError):
    """A transaction was refused because a condition no longer held (someone else got there first).

    `refused` holds the (pk, sk) of the operations whose condition failed, so a caller can tell
    which of its items lost (positions would not do: PynamoDB sends condition checks, deletes, puts
    and updates in that order, not in the order they were added).
    """

    def __init__(self, refused: set[tuple[str, str]]) -> None:
        super().__init__(f"transaction conditions failed for {sorted(refused)}")
        self.refused = refused


class Contended(StorageError):
    """Another transaction touched the same items at the same moment (TransactionConflict): retry."""


class StorageUnavailable(StorageError):
    """DynamoDB did not do the write for another reason than a condition (throttling, an outage): retry later."""


def is_condition_failure(exc: Any) -> bool:
    """Whether a PynamoDB write error is a refused condition (and only that)."""
    return getattr(exc, "cause_response_code", None) == CONDITION_FAILED_CODE
