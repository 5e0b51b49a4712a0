"""The DynamoDB connection and the one way we write several items atomically."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from shared.storage.errors import ConditionFailed, Contended, StorageUnavailable

__all__ = ["ConditionFailed", "Contended", "StorageUnavailable", "connection", "transaction"]


@cache
def connection() -> Connection:
    """The models' own connection: transactions share its botocore client instead of loading a second one."""
    from shared.storage.models import CocoonItem

    return CocoonItem._get_connection().connection


def _keys_in_request_order(tx: TransactWrite) -> list[tuple[str, str]]:
    """(pk, sk) of each operation in the order of the request, which is the order of the cancellation reasons."""
    operations = [*tx._condition_check_items, *tx._delete_items, *tx._put_items, *tx._update_items]
    keys = []
    for operation in operations:
        key = operation.get("Item") or operation["Key"]
        keys.append((key["pk"]["S"], key["sk"]["S"]))
    return keys


@contextmanager
def transaction() -> Iterator[TransactWrite]:
    """All or nothing: the change, its history and its outbox mail commit together."""
    tx = TransactWrite(connection=connection())
    try:
        with tx:
            yield tx
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        keys = _keys_in_request_order(tx)
        refused = {
            keys[i]
            for i, reason in enumerate(reasons)
            if reason is not None and reason.code == "ConditionalCheckFailed" and i < len(keys)
        }
        if refused:
            raise ConditionFailed(refused) from exc
        if any(reason is not None and reason.code == "TransactionConflict" for reason in reasons):
            raise Contended() from exc
        raise StorageUnavailable("the transaction was not written") from exc
