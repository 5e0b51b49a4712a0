"""The dunning job under re-runs, crashes and two overlapping runs (issue 18), against DynamoDB Local.

The same method as tests/functional/test_billing_reliability.py: the job is killed before or after
the k-th DynamoDB call (or TransactWriteItems), then re-run; and two runs start at once. Every time,
each unpaid invoice ends with exactly one reminder of the level reached, its level recorded once, and
after the suspension day one suspension per invoice, in the account's set.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest

from functions import billing, dunning
from shared.storage.models import Account, InvoiceDocument, OutboxMail
from tests.functional.helpers import (
    BILLING_NOW,
    BILLING_SEED,
    Injector,
    Killed,
    all_items,
    calls_counted,
    fresh_tables,
    load_accounts,
)

REMINDER_DAY = datetime.fromisoformat("2026-06-23T09:00:00+02:00")  # invoices of 1 June, due 15 June: + 8
SUSPENSION_DAY = datetime.fromisoformat("2026-07-31T09:00:00+02:00")  # + 46
DUNNING_MAILS = ("payment_reminder", "second_reminder", "final_notice", "account_suspended")


def _invoices() -> list[InvoiceDocument]:
    return [item for item in all_items() if isinstance(item, InvoiceDocument)]


def _mails() -> Counter[tuple[str, str]]:
    """(template, mail id) -> how many items: any count above 1 would be a mail sent twice."""
    return Counter(
        (item.template, item.mail_id) for item in all_items()
        if isinstance(item, OutboxMail) and item.template in DUNNING_MAILS
    )


def _billed() -> list[InvoiceDocument]:
    fresh_tables()
    load_accounts()
    assert billing.run(BILLING_NOW, workers=1).failed == 0
    invoices = _invoices()
    assert len(invoices) > 10
    return invoices


def assert_reminded_once(invoices: list[InvoiceDocument]) -> None:
    mails = _mails()
    assert set(mails.values()) == {1}
    assert sorted(mail_id for _, mail_id in mails) == sorted(f"dunning-{i.number}-payment_reminder" for i in invoices)
    assert {item.dunning_level for item in _invoices()} == {1}


PLANS = [(mode, random.Random(BILLING_SEED + n).random()) for n, mode in
         enumerate(("before", "after", "before-tx", "after-tx") * 3)]


@pytest.mark.parametrize("plan", PLANS, ids=[f"{mode}-{u:.2f}" for mode, u in PLANS])
def test_killed_at_a_random_point_then_rerun(db: str, monkeypatch: pytest.MonkeyPatch, plan: tuple[str, float]) -> None:
    mode, fraction = plan
    invoices = _billed()
    operation = "TransactWriteItems" if mode.endswith("-tx") else None
    # Every invoice is one transaction; calls: the due index queries plus one transaction per invoice.
    total = len(invoices) if operation else len(invoices) + 16
    at = max(1, min(total, round(fraction * total + 0.5)))
    injector = Injector(at=at, after=mode.startswith("after"), operation=operation)
    with calls_counted(monkeypatch, injector), pytest.raises(Killed):
        dunning.run(REMINDER_DAY)
    rerun = dunning.run(REMINDER_DAY)
    assert rerun.failed == 0
    assert_reminded_once(invoices)
    assert dunning.run(REMINDER_DAY + timedelta(hours=1)).done == 0  # nothing left to do


def test_running_twice_sends_nothing_twice(db: str) -> None:
    invoices = _billed()
    first = dunning.run(REMINDER_DAY)
    assert first.done == len(invoices)
    assert dunning.run(REMINDER_DAY).done == 0
    assert_reminded_once(invoices)


def test_two_overlapping_runs(db: str) -> None:
    invoices = _billed()
    start = threading.Barrier(2)
    results: list[dunning.JobResult] = []
    errors: list[BaseException] = []

    def one_run(moment: datetime) -> None:
        start.wait()
        try:
            results.append(dunning.run(moment))
        except BaseException as exc:  # a run that breaks must fail the test, not vanish with its thread
            errors.append(exc)

    threads = [threading.Thread(target=one_run, args=(REMINDER_DAY,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result.done for result in results) == len(invoices)
    assert_reminded_once(invoices)

    # Skipping the levels in between (the job was down), two runs at once on the suspension day.
    for moment in (SUSPENSION_DAY - timedelta(days=5), SUSPENSION_DAY):
        results.clear()
        threads = [threading.Thread(target=one_run, args=(moment,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
    mails = _mails()
    assert set(mails.values()) == {1}
    assert Counter(template for template, _ in mails) == {
        "payment_reminder": len(invoices), "final_notice": len(invoices), "account_suspended": len(invoices)
    }
    accounts = [item for item in all_items() if isinstance(item, Account) and item.suspended_by]
    assert sorted(n for a in accounts for n in a.suspended_by or ()) == sorted(i.number for i in invoices)
