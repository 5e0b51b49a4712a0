"""The DynamoDB connection and the one way we write several items atomically."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shared.settings import get_settings


@cache
def connection() -> Connection:
    settings = get_settings()
    return Connection(region=settings.region, host=settings.dynamodb_endpoint)


class ConditionFailed(Exception):
    """A transaction was refused because a condition no longer held (someone else got there first).

    `failed` lists the positions of the refused operations, in the order they were added.
    """

    def __init__(self, failed: list[int]) -> None:
        super().__init__(f"transaction conditions failed at {failed}")
        self.failed = failed


class Contended(Exception):
    """Another transaction touched the same items at the same moment (TransactionConflict): retry."""


@contextmanager
def transaction() -> Iterator[TransactWrite]:
    """All or nothing: the change, its history and its outbox mail commit together."""
    try:
        with TransactWrite(connection=connection()) as tx:
            yield tx
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        failed = [
            i for i, reason in enumerate(reasons) if reason is not None and reason.code == "ConditionalCheckFailed"
        ]
        if failed:
            raise ConditionFailed(failed) from exc
        if any(reason is not None and reason.code == "TransactionConflict" for reason in reasons):
            raise Contended() from exc
        raise
