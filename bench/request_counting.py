"""Counting DynamoDB requests in the benches: calls, HTTP attempts, time in calls and CPU, per window.

Why here, once: the request benches (signup, intake, billing) count the same way. PynamoDB
creates its botocore client lazily and boto3 clients come and go, so `botocore.client.BaseClient.
_make_api_call` is wrapped at class level: it sees every client of every session. On a client's
first call the wrapper also registers a `before-send.dynamodb` handler on it, which fires once per
HTTP attempt: attempts above calls are botocore's own retries.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.client


def request_tables(params: dict[str, Any]) -> list[str]:
    """The tables a request touches, so the idempotency table's requests stand out."""
    if "TableName" in params:
        return [str(params["TableName"])]
    names = {str(action.get("TableName", "?")) for item in params.get("TransactItems", []) for action in item.values()}
    names.update(params.get("RequestItems", {}))
    return sorted(names) or ["?"]


@dataclass
class Window:
    """The DynamoDB requests made while one measured stretch ran (a request, a job run, a round)."""

    calls: Counter[str] = field(default_factory=Counter)  # by "Operation table(s)"
    operations: Counter[str] = field(default_factory=Counter)  # by operation
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # wall time per operation
    attempts: int = 0  # HTTP attempts: more than calls means botocore retried
    python_cpu: float = 0.0  # CPU seconds of this process (all threads) during the window
    database_cpu: float | None = None  # CPU seconds of DynamoDB Local's process, where /proc tells

    @property
    def total(self) -> int:
        return sum(self.operations.values())

    @property
    def seconds_in_calls(self) -> float:
        return sum(self.seconds.values())


class DynamoDBCounter:
    """Counts the DynamoDB requests of every botocore client, inside `window()` (and all of them in `everything`)."""

    def __init__(self, database_pid: int | None = None) -> None:
        self.current: Window | None = None
        self.everything: Counter[str] = Counter()  # every call while installed, windows or not
        self.database_pid = database_pid
        self.lock = threading.Lock()  # workers' threads count into one window

    def install(self) -> None:
        original: Callable[..., Any] = botocore.client.BaseClient._make_api_call
        counter = self

        def counting_make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name != "dynamodb":
                return original(client, operation_name, api_params)
            with counter.lock:
                # A flag on the client, not its id(): a new client may reuse a collected one's id.
                if not getattr(client, "_bench_counted", False):
                    client._bench_counted = True
                    client.meta.events.register("before-send.dynamodb", counter._on_send)
                counter.everything[operation_name] += 1
                window = counter.current
                if window is not None:
                    window.operations[operation_name] += 1
                    window.calls[f"{operation_name} {'+'.join(request_tables(api_params))}"] += 1
            started = time.perf_counter()
            try:
                return original(client, operation_name, api_params)
            finally:
                if window is not None:
                    with counter.lock:
                        window.seconds[operation_name] += time.perf_counter() - started

        botocore.client.BaseClient._make_api_call = counting_make_api_call

    def _on_send(self, **kwargs: Any) -> None:
        with self.lock:
            if self.current is not None:
                self.current.attempts += 1

    @contextmanager
    def window(self, into: Window | None = None) -> Iterator[Window]:
        """Count into a new window, or add to `into` (a run measured in several rounds)."""
        self.current = window = into if into is not None else Window()
        python_started, database_started = time.process_time(), process_cpu(self.database_pid)
        try:
            yield window
        finally:
            self.current = None
            window.python_cpu += time.process_time() - python_started
            database_ended = process_cpu(self.database_pid)
            if database_started is not None and database_ended is not None:
                window.database_cpu = (window.database_cpu or 0.0) + database_ended - database_started


def process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a process from /proc (Linux), or None where that is not available."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime and stime: fields 14 and 15 of stat
