"""Measuring DynamoDB capacity in the benches: every call's ConsumedCapacity, added up per window.

Why one module: bench_sweeps.py and bench_sla_watch.py compare the read capacity of a job's run
with a baseline the same way; here is that way once. Calls and capacity are keyed by what a request
addressed, and each cost points at the line of the application (functions/, shared/) that asked.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import botocore.client

PROJECT_ROOT = Path(__file__).resolve().parents[1]
READ_OPERATIONS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})


@dataclass
class Window:
    """The DynamoDB calls of one measured stretch (a run, a baseline) and the capacity they consumed.

    Calls and capacity are keyed by "Operation target": the table, or the table and index a Query
    or Scan named; for GetItem also the kind of item (sort key prefix) and "strong" for a strongly
    consistent read, so a ticket read stands apart from an account read and its price shows.
    """

    operations: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    read: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # RCU
    write: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # WCU
    index_share: defaultdict[tuple[str, str], float] = field(  # (key, index): part of the above
        default_factory=lambda: defaultdict(float)
    )
    without_capacity: Counter[str] = field(default_factory=Counter)  # answered without ConsumedCapacity
    failed: Counter[str] = field(default_factory=Counter)  # raised: their capacity is unknown
    # (key, the app's code that asked): calls and units, so each cost points at a line to change.
    caller_calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    caller_units: defaultdict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))

    @property
    def rcu(self) -> float:
        return sum(self.read.values())

    @property
    def wcu(self) -> float:
        return sum(self.write.values())

    @property
    def scans(self) -> int:
        return self.operations["Scan"]

    def record(self, operation: str, params: dict[str, Any], consumed: Any, caller: str) -> None:
        """Add one response's ConsumedCapacity (a dict, or a list for batches and transactions)."""
        key = f"{operation} {request_target(operation, params)}"
        self.calls[key] += 1
        self.caller_calls[key, caller] += 1
        tally = self.read if operation in READ_OPERATIONS else self.write
        tally[key] += 0.0  # a call that consumed nothing still shows
        for entry in consumed if isinstance(consumed, list) else [consumed]:
            tally[key] += float(entry.get("CapacityUnits", 0.0))
            self.caller_units[key, caller] += float(entry.get("CapacityUnits", 0.0))
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                for name, part in entry.get(kind, {}).items():
                    self.index_share[key, name] += float(part.get("CapacityUnits", 0.0))


def request_target(operation: str, params: dict[str, Any]) -> str:
    """What a request addressed: its table (and index, or kind of item), or the tables of a batch."""
    if "TableName" in params:
        index = params.get("IndexName")
        target = f"{params['TableName']}/index {index}" if index else str(params["TableName"])
        if operation == "GetItem":
            sort_key = str(params.get("Key", {}).get("sk", {}).get("S", "?"))
            target += f" {sort_key.split('#', 1)[0]} item"
        if params.get("ConsistentRead"):
            target += " (strong)"
        return target
    names = set(params.get("RequestItems", {}))
    for item in params.get("TransactItems", []):
        names.update(str(action.get("TableName", "?")) for action in item.values())
    return "+".join(sorted(names)) or "?"


class CapacityMeter:
    """Asks for and adds up ConsumedCapacity of every DynamoDB call made inside `window()`."""

    def __init__(self) -> None:
        self.current: Window | None = None
        self.owner: int | None = None  # only the measuring thread's calls count, never the loaders'

    def install(self) -> None:
        original: Callable[..., Any] = botocore.client.BaseClient._make_api_call
        meter = self

        def measuring_make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            window = meter.current
            if (
                window is None
                or threading.get_ident() != meter.owner
                or client.meta.service_model.service_name != "dynamodb"
            ):
                return original(client, operation_name, api_params)
            window.operations[operation_name] += 1
            members = client.meta.service_model.operation_model(operation_name).input_shape.members
            if "ReturnConsumedCapacity" in members:
                # INDEXES rather than PynamoDB's TOTAL: same cost, but with each index's share.
                api_params = {**api_params, "ReturnConsumedCapacity": "INDEXES"}
            try:
                response = original(client, operation_name, api_params)
            except Exception:
                window.failed[operation_name] += 1
                raise
            consumed = response.get("ConsumedCapacity")
            if consumed:
                window.record(operation_name, api_params, consumed, app_caller())
            elif "ReturnConsumedCapacity" in members:
                window.without_capacity[operation_name] += 1
            return response

        botocore.client.BaseClient._make_api_call = measuring_make_api_call

    @contextmanager
    def window(self) -> Iterator[Window]:
        self.current, self.owner = Window(), threading.get_ident()
        try:
            yield self.current
        finally:
            self.current, self.owner = None, None


APP_DIRS = tuple(str(PROJECT_ROOT / name) + os.sep for name in ("functions", "shared"))


def app_caller() -> str:
    """The two innermost frames of the application's own code (functions/, shared/) on the stack.

    E.g. "shared.storage.accounts.get_account <- functions.sweep.sweep": which line of the app asked
    for the read, so a cost can be traced to the code that would change it. "bench" if none.
    """
    found: list[str] = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and len(found) < 2:
        path = frame.f_code.co_filename
        if path.startswith(APP_DIRS):
            module = Path(path).relative_to(PROJECT_ROOT).with_suffix("").as_posix().replace("/", ".")
            found.append(f"{module}.{frame.f_code.co_name}")
        frame = frame.f_back
    return " <- ".join(found) or "bench"
