"""The bulk data of the capacity benchmarks, written once the same way: a raw client and a threaded bulk writer.

Why one module: bench_sweeps.py, bench_sla_watch.py and bench_billing.py each fill DynamoDB Local with
tens of thousands of items that the application would take hours to make. What they write differs
(accounts, tickets, billing partitions); how they write it (batch_write_item from a thread pool, retrying
the unprocessed items, streaming so memory stays flat) is here once. The writing is never what a bench
measures: its figures come from the runs that follow.

boto3 is imported on first use: each bench sets up its environment before anything of AWS is imported.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any

LOAD_THREADS = 8
BATCH_SIZE = 25  # batch_write_item's maximum
BATCHES_IN_FLIGHT = 400  # batches handed to the pool at once: keeps memory flat while streaming


def raw_client(endpoint: str, pool: int = LOAD_THREADS * 2) -> Any:
    """A plain boto3 client for loading, checking and baselines, independent of PynamoDB (thread-safe)."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="eu-central-1",
        aws_access_key_id="local", aws_secret_access_key="local",  # noqa: S106 - DynamoDB Local ignores them
        config=Config(max_pool_connections=pool, retries={"max_attempts": 10, "mode": "standard"}),
    )


def write_batch(client: Any, table: str, batch: list[dict[str, Any]]) -> None:
    """One batch_write_item, again with whatever DynamoDB left unprocessed until nothing is left."""
    requests: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in batch]}
    for attempt in range(20):
        unprocessed = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
        if not unprocessed:
            return
        requests = unprocessed
        time.sleep(0.05 * (attempt + 1))
    raise RuntimeError("batch_write_item kept returning unprocessed items")


def batches(items: Iterator[dict[str, Any]], size: int, count: int) -> list[list[dict[str, Any]]]:
    """The next `count` batches of `size` items (fewer at the end; none when the items are used up)."""
    chunk = []
    for _ in range(count):
        batch = list(islice(items, size))
        if not batch:
            break
        chunk.append(batch)
    return chunk


def bulk_write(endpoint: str, table: str, items: Iterable[dict[str, Any]], threads: int = LOAD_THREADS) -> int:
    """Write serialized items from `threads` threads; returns how many were written.

    The items are read (and so made) a few hundred batches ahead of the writers: the next chunk is
    serialized while the pool writes the last one, and a failed batch raises here.
    """
    client = raw_client(endpoint, threads * 2)
    stream = iter(items)
    written = 0
    with ThreadPoolExecutor(threads) as pool:
        pending: list[Future[None]] = []
        while chunk := batches(stream, BATCH_SIZE, BATCHES_IN_FLIGHT):
            written += sum(len(batch) for batch in chunk)
            for future in pending:
                future.result()
            pending = [pool.submit(write_batch, client, table, batch) for batch in chunk]
        for future in pending:
            future.result()
    return written
