"""Nightly billing under re-runs, crashes and overlapping workers (SPEC §4), against DynamoDB Local.

Why: the billing job must create exactly one invoice per account and ended month, with gapless
per-year numbers, "however often the job runs, crashes or overlaps". These tests check that claim
from the outside, on the data alone:

- the job run twice leaves every item exactly as the first run left it;
- the job is killed at 24+ seeded random points (before or after the k-th DynamoDB call, and right
  after a TransactWriteItems committed), sometimes twice in a row, then re-run: every cycle ends
  with one invoice per account and billable month, numbers exactly 1..N, the counter at N, one
  invoice mail per invoice, cursors moved on, and invoice contents equal to a clean run's;
- 4 threads billing all accounts in different orders, and two overlapping `run(workers=4)`, give
  the same.

The accounts are written directly with the storage models (what conversion, users, editions, apps
and support hours leave in an account's partition), so a fresh data set costs one batch write and
the 24 crash cycles fit in well under a minute. Threads call the job functions directly: Chalice's
test client is not thread-safe.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from functions import billing
from shared.services.billing import batches
from tests.functional.helpers import (
    BILLING_ACCOUNTS,
    BILLING_NEXT_CURSOR,
    BILLING_NOW,
    BILLING_SEED,
    BILLING_ZONE,
    Injector,
    Killed,
    account_items,
    all_items,
    assert_billed_exactly_once,
    calls_counted,
    contents,
    fresh_tables,
    load_accounts,
    raw_items,
)

NOW = BILLING_NOW
NEXT_CURSOR = BILLING_NEXT_CURSOR
ZONE = BILLING_ZONE
ACCOUNTS = BILLING_ACCOUNTS
SEED = BILLING_SEED
# The job commits a batch of accounts at once; small batches here give a run several commits to die
# between (the job's own 25 would put these 10 accounts into one).
BATCH_SIZE = 3



@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches, "BATCH_SIZE", BATCH_SIZE)


# --- the data ----------------------------------------------------------------------------------


# --- reading the outcome -----------------------------------------------------------------------


# --- crashes -----------------------------------------------------------------------------------


@dataclass
class CrashPlan:
    """Kill the run before or after the k-th DynamoDB call (or k-th TransactWriteItems), k = ceil(u * total)."""

    mode: str  # "before" | "after" (any call) | "before-tx" | "after-tx" (TransactWriteItems only)
    fractions: list[float]  # one crash per entry, in successive runs, before the clean re-run
    workers: int

    @property
    def operation(self) -> str | None:
        return "TransactWriteItems" if self.mode.endswith("-tx") else None


def _plans() -> list[CrashPlan]:
    """24 seeded crash plans: four kinds of crash point, some killed twice before the clean re-run."""
    rng = random.Random(SEED)
    plans = []
    for number in range(24):
        mode = ("before", "after", "before-tx", "after-tx")[number % 4]
        crashes = 2 if number % 6 == 5 else 1
        plans.append(CrashPlan(mode, [rng.random() for _ in range(crashes)], workers=4 if number % 3 == 2 else 1))
    return plans


PLANS = _plans()
_clean: dict[str, Any] = {}


def clean_run(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A run without crashes on fresh data, once per module: the calls it makes and what it issues."""
    if not _clean:
        fresh_tables()
        expected = load_accounts()
        with calls_counted(monkeypatch, Injector(at=0, after=False, operation=None)) as counted:
            result = billing.run(NOW, workers=1)
        assert result.failed == 0, result.summary()
        _clean.update(
            expected=expected, calls=counted.calls, by_operation=counted.by_operation,
            contents=contents(assert_billed_exactly_once(expected)),
        )
    return _clean


# --- the tests ---------------------------------------------------------------------------------


def test_the_data_set_has_what_the_reliability_tests_need(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = clean_run(monkeypatch)
    months = sum(len(m) for m in clean["expected"].values())
    assert len(clean["expected"]) == ACCOUNTS and months >= 30
    assert sum(1 for m in clean["expected"].values() if len(m) > 1) >= ACCOUNTS // 2  # several ended months
    documents = list(clean["contents"].values())
    assert any("Business" in d["lines"][0]["description"] for d in documents)  # the March upgrade
    assert any(len(d["lines"]) > 1 for d in documents)  # apps or support hours
    # One commit per batch of accounts (invoices, mails, cursors and the counter together): none wasted.
    assert clean["by_operation"]["TransactWriteItems"] == -(-ACCOUNTS // BATCH_SIZE)
    assert "Scan" not in clean["by_operation"]


def test_running_twice_changes_nothing(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = clean_run(monkeypatch)
    fresh_tables()
    expected = load_accounts()
    first = billing.run(NOW, workers=1)  # idempotence alone; overlapping workers are tested below
    assert (first.done, first.failed) == (ACCOUNTS, 0), first.summary()
    invoices = assert_billed_exactly_once(expected)
    assert contents(invoices) == clean["contents"]
    before = raw_items()
    for moment in (NOW, NOW + timedelta(hours=20)):  # again that night, and the next night
        again = billing.run(moment, workers=4)
        assert (again.done, again.failed, again.details) == (0, 0, {}), again.summary()
        assert raw_items() == before


@pytest.mark.parametrize("plan", PLANS, ids=[
    f"{n:02d}-{p.mode}-{'x'.join(f'{u:.2f}' for u in p.fractions)}-w{p.workers}" for n, p in enumerate(PLANS)
])
def test_killed_at_a_random_point_then_rerun(db: str, monkeypatch: pytest.MonkeyPatch, plan: CrashPlan) -> None:
    clean = clean_run(monkeypatch)
    fresh_tables()
    expected = load_accounts()
    total = clean["by_operation"]["TransactWriteItems"] if plan.operation else clean["calls"]
    for fraction in plan.fractions:  # a second crash falls within what the first left to do
        at = max(1, min(total, round(fraction * total + 0.5)))
        total -= at
        injector = Injector(at=at, after=plan.mode.startswith("after"), operation=plan.operation)
        with calls_counted(monkeypatch, injector), pytest.raises(Killed):
            billing.run(NOW, workers=plan.workers)
        assert injector.dead
    rerun = billing.run(NOW, workers=1)  # the clean re-run; contention is the subject of the tests below
    assert rerun.failed == 0, rerun.summary()
    invoices = assert_billed_exactly_once(expected)
    assert contents(invoices) == clean["contents"]
    assert billing.run(NOW, workers=1).details == {}  # and nothing is left to do


def _bill_in_threads(account_ids: list[str], threads: int) -> list[str]:
    """Every thread bills every account, each in its own order, all starting at once; the numbers issued."""
    from shared.storage.billing import CounterCache

    start = threading.Barrier(threads)
    issued: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        order = list(account_ids)
        random.Random(seed).shuffle(order)
        counters = CounterCache()  # one per worker, as a long-running consumer would keep it
        start.wait()
        try:
            for account_id in order:
                numbers = billing.bill_account(account_id, NOW, counters)
                with lock:
                    issued.extend(numbers)
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(SEED + n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == [], errors
    return issued


def test_four_workers_billing_the_same_accounts_at_once(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = clean_run(monkeypatch)
    fresh_tables()
    expected = load_accounts()
    issued = _bill_in_threads(sorted(expected), threads=4)
    invoices = assert_billed_exactly_once(expected)
    assert sorted(issued) == sorted(i.number for i in invoices)  # no worker reports a number twice
    assert contents(invoices) == clean["contents"]


def test_two_overlapping_runs_with_four_workers_each(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = clean_run(monkeypatch)
    fresh_tables()
    expected = load_accounts()
    start = threading.Barrier(2)
    results: list[Any] = []

    def one_run() -> None:
        start.wait()
        results.append(billing.run(NOW, workers=4))

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    assert [r.failed for r in results] == [0, 0], [r.summary() for r in results]
    invoices = assert_billed_exactly_once(expected)
    assert sum(r.details.get("invoices issued", 0) for r in results) == len(invoices)
    assert contents(invoices) == clean["contents"]


def test_an_account_owing_more_months_than_one_transaction_holds(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """65 missing months (2021-01..2026-05) need two commits of invoice + mail per month; the first may die alone."""
    from shared.rules.billing import billable_months
    from shared.storage.models import CocoonItem, InvoiceDocument

    fresh_tables()
    partition = account_items(0, "2021-01-01", None, random.Random(SEED))
    with CocoonItem.batch_write() as batch:
        for item in partition:
            batch.save(item)
    months = [str(m) for m in billable_months(date(2021, 1, 1), NOW.astimezone(ZONE).date())]
    assert len(months) == 65
    expected = {partition[0].account_id: set(months)}

    injector = Injector(at=1, after=True, operation="TransactWriteItems")  # dies right after the first commit
    with calls_counted(monkeypatch, injector), pytest.raises(Killed):
        billing.run(NOW, workers=1)
    first_part = sorted((i.month, i.number) for i in all_items() if isinstance(i, InvoiceDocument))
    assert [month for month, _ in first_part] == months[:49]  # the oldest months, in one commit
    assert billing.run(NOW - timedelta(hours=1), workers=1).done == 1  # still due: the cursor did not move

    invoices = assert_billed_exactly_once(expected)
    by_month = sorted((i.month, i.number) for i in invoices)
    assert by_month[:49] == first_part
    assert [number for _, number in by_month] == sorted(number for _, number in by_month)  # numbered oldest first
