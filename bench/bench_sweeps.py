"""Read capacity of the trial-expiry and deletion sweeps: in proportion to what is due, never a Scan.

Why: the sweeps run every day over every account. If they scanned, each run would cost (and take)
in proportion to the number of accounts, however little is due. They find their work through the
sparse `due` index (hash `due_job`, range `due_at`) instead, so a run should cost about what reading
the due items themselves costs. Target: consumed read capacity of each sweep <= 2 x the baseline,
and no Scan.

Data (DynamoDB Local, in memory): 50,000 accounts, of which 50 are due per sweep:
- 40,000 accounts in their trial, each with its `DUE#trial-expiry#expire` action in the index;
  50 of them ran out yesterday (due), the others end within the next 30 days.
- 10,000 deactivated accounts, each with its `DUE#lifecycle#purge` action in the index (and a
  `deletion-warning` while that is still ahead); 50 of them reached the end of the retention
  period (due), the others are still within it.
The 100 due accounts are made by the application's own code, living through their history with a
moving clock (signup, verification, reminders, deactivation, deletion warning, mail delivery), so
their partitions hold what production partitions hold and `purge_account`'s Query reads a
realistic amount. The 49,900 others are written directly with `batch_write_item` (serialized by
the PynamoDB models themselves, so the format is the application's), with due dates in the future.

How capacity is measured: every DynamoDB call of every botocore client (PynamoDB's and boto3's)
goes through `botocore.client.BaseClient._make_api_call`; inside a measuring window the wrapper
sets `ReturnConsumedCapacity=INDEXES` on each operation that accepts it and adds up the
`ConsumedCapacity` of the response, split by table and index. Read capacity is what Query,
GetItem, BatchGetItem, TransactGetItems and Scan consume; everything else is write capacity
(shown for information, no target). DynamoDB Local does return ConsumedCapacity (computed the way
AWS defines it: 4 KB units, eventually consistent reads at half price); a call that came back
without it makes the run fail rather than report too little.

Baseline ("reading just those 50 items"): for each of the 50 due actions, one eventually
consistent GetItem of the account item and one of the due action item: 100 GetItem, read through
a plain boto3 client before the sweep runs.

Run: ``python bench/bench_sweeps.py`` from the project root (about 2-3 minutes on 2 cores, most of
it loading 50,000 accounts; needs Java for DynamoDB Local: `make install`).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.capacity import CapacityMeter, Window  # noqa: E402 - needs nothing from the environment
from bench.world import bulk_write, raw_client  # noqa: E402 - imports boto3 on first use
from infra import dynamodb_local  # noqa: E402 - needs nothing from the environment

# Before any shared.* import: the storage models bind their endpoint and table at import.
_PORT, _RUN_DIR = dynamodb_local.isolated_environment("cocoon-bench-sweeps-")


ACCOUNTS = 50_000
DEACTIVATED_ACCOUNTS = 10_000  # of ACCOUNTS; the others are in their trial
DUE_PER_SWEEP = 50
TARGET_RATIO = 2.0
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, the company's zone
TOKEN_PATTERN = re.compile(r"token=([A-Za-z0-9_\-]+)")


# --- measuring: bench/capacity.py; loading: bench/world.py ----------------------------------------


# --- the 100 due accounts, made by the application itself ----------------------------------------


def _sign_up_and_verify(label: str, count: int, at: datetime) -> list[str]:
    """`count` accounts signed up at `at` and verified ten minutes later, as the signup API does it."""
    from shared.policy import get_policy
    from shared.services.accounts.signup import NewSignup, start_signup, verify_signup
    from shared.storage.models import OutboxMail, account_pk

    policy = get_policy()
    ids = []
    for number in range(count):
        signup = NewSignup(
            company_name=f"Fällig {label} {number} GmbH", organization_type="company", country="DE",
            vat_id="DE136695976", admin_name="Erika Mustermann",
            admin_email=f"due-{label}-{number}@beispiel.example", language="de",
        )
        account_id = start_signup(signup, at, policy)
        mail = OutboxMail.get(account_pk(account_id), f"MAIL#verify-{account_id}")
        match = TOKEN_PATTERN.search(mail.body_text)
        assert match is not None, "no verification link in the verification mail"
        verify_signup(match.group(1), at + timedelta(minutes=10), policy)
        ids.append(account_id)
    return ids


def _due_at(account_id: str, job: str, action: str) -> datetime:
    from shared.storage.models import ScheduledAction, account_pk
    from shared.storage.schedule import action_sk

    item = ScheduledAction.get(account_pk(account_id), action_sk(job, action))
    assert item.due_at is not None
    return datetime.strptime(item.due_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _expect(result: Any, done: int) -> None:
    assert (result.done, result.skipped, result.failed) == (done, 0, 0), result.summary()


def make_due_accounts() -> tuple[list[str], list[str]]:
    """50 trials that ran out yesterday and 50 deactivated accounts whose retention ended, via the real code.

    The clock moves forward through their lives, so each partition ends up with the user, seat
    event, sent mails and so on that it would have in production, and with only the one action due.
    """
    from functions import lifecycle, mail_delivery, trial_expiry

    # Deactivated accounts: trial started ~213 days ago, ran out, warned 14 days before deletion.
    to_purge = _sign_up_and_verify("purge", DUE_PER_SWEEP, NOW - timedelta(days=213))
    ran_out = _due_at(to_purge[0], "trial-expiry", "expire")
    _expect(trial_expiry.run(ran_out + timedelta(hours=1)), 3 * DUE_PER_SWEEP)  # 2 reminders + expiry each
    warned = _due_at(to_purge[0], "lifecycle", "deletion-warning")
    _expect(lifecycle.run(warned + timedelta(hours=1)), DUE_PER_SWEEP)
    assert _due_at(to_purge[0], "lifecycle", "purge") <= NOW

    # Trials that ran out at the end of yesterday (Berlin); their reminders were sent before.
    to_expire = _sign_up_and_verify("expire", DUE_PER_SWEEP, NOW - timedelta(days=31))
    expires = _due_at(to_expire[0], "trial-expiry", "expire")
    assert expires <= NOW
    _expect(trial_expiry.run(expires - timedelta(minutes=1)), 2 * DUE_PER_SWEEP)
    while mail_delivery.run(NOW - timedelta(minutes=1)).done:
        pass  # every mail of their history delivered, as the mail job would have done meanwhile
    return to_expire, to_purge


# --- the 49,900 others, written in bulk ----------------------------------------------------------


def _bulk_items(policy_dpa_version: str) -> Iterator[dict[str, Any]]:
    """Account and due items of the accounts with nothing due now, serialized by the models themselves."""
    from shared.storage.models import Account, account_pk
    from shared.storage.schedule import scheduled_action

    trials = ACCOUNTS - DEACTIVATED_ACCOUNTS - DUE_PER_SWEEP
    deactivated = DEACTIVATED_ACCOUNTS - DUE_PER_SWEEP
    for number in range(trials + deactivated):
        account_id = f"acc_{number:016x}"  # the shape of shared.rules.identity.new_id("acc_")
        in_trial = number < trials
        started = NOW - timedelta(days=1 + number % 29 if in_trial else 40 + number % 160)
        first_day = started.date()
        account = Account(
            account_pk(account_id), "ACCOUNT", account_id=account_id,
            state="trial" if in_trial else "deactivated",
            company_name=f"Bench {number} GmbH", organization_type="company", country="DE",
            vat_id="DE136695976",
            admin_name="Erika Mustermann", admin_email=f"admin-{number}@bench.example", language="de",
            dpa_version=policy_dpa_version, dpa_accepted_at=started, created_at=started, verified_at=started,
            trial_started_on=first_day.isoformat(),
            trial_ends_on=(first_day + timedelta(days=29)).isoformat(),
            token_hashes=[hashlib.sha256(account_id.encode()).hexdigest()],
        )
        if in_trial:
            yield account.serialize()
            # Ends within the next 30 days: in the index partition, outside the range a sweep reads.
            expire = scheduled_action(account_id, "trial-expiry", "expire", started + timedelta(days=30))
            yield expire.serialize()
            continue
        deactivated_on = first_day + timedelta(days=30)
        account.deactivated_on = deactivated_on.isoformat()
        yield account.serialize()
        purge_at = datetime.combine(deactivated_on + timedelta(days=180), datetime.min.time(), tzinfo=UTC)
        assert purge_at > NOW
        yield scheduled_action(account_id, "lifecycle", "purge", purge_at).serialize()
        warn_at = purge_at - timedelta(days=14)
        if warn_at > NOW:  # else the warning was sent already
            yield scheduled_action(account_id, "lifecycle", "deletion-warning", warn_at).serialize()


def load_bulk(endpoint: str, table: str) -> tuple[int, Counter[str], float]:
    """Write the bulk items with batch_write_item from several threads; (items, by due job, seconds)."""
    from shared.policy import get_policy

    started = time.perf_counter()
    items = list(_bulk_items(get_policy().dpa_version))
    by_job = Counter(str(item["due_job"]["S"]) for item in items if "due_job" in item)
    bulk_write(endpoint, table, items)
    return len(items), by_job, time.perf_counter() - started


# --- the measurement --------------------------------------------------------------------------


@dataclass
class SweepFigures:
    """One sweep's measured run, its baseline, and a second run with nothing left to do."""

    name: str
    summary: str
    seconds: float
    sweep: Window
    baseline: Window
    rerun: Window

    @property
    def ratio(self) -> float:
        return self.sweep.rcu / self.baseline.rcu

    @property
    def ok(self) -> bool:
        return self.ratio <= TARGET_RATIO and self.sweep.scans == 0 and self.rerun.scans == 0


def baseline(meter: CapacityMeter, endpoint: str, table: str, ids: list[str], action_sk: str) -> Window:
    """Reading just the due items: a GetItem of each account and of its due action (eventually consistent)."""
    client = raw_client(endpoint)
    with meter.window() as window:
        for account_id in ids:
            for sk in ("ACCOUNT", action_sk):
                key = {"pk": {"S": f"ACCOUNT#{account_id}"}, "sk": {"S": sk}}
                assert "Item" in client.get_item(TableName=table, Key=key), (account_id, sk)
    return window


def measure(meter: CapacityMeter, name: str, run: Callable[[datetime], Any], base: Window) -> SweepFigures:
    with meter.window() as window:
        started = time.perf_counter()
        result = run(NOW)
        seconds = time.perf_counter() - started
    _expect(result, DUE_PER_SWEEP)
    with meter.window() as rerun:
        _expect(run(NOW), 0)  # a second run finds nothing: the actions went with their effects
    return SweepFigures(name, result.summary(), seconds, window, base, rerun)


def check_effects(expired: list[str], purged: list[str]) -> None:
    """The sweeps did their work: trials deactivated, retained accounts gone but for a tombstone."""
    from shared.storage.accounts import get_account
    from shared.storage.models import CocoonItem, Tombstone, account_pk

    for account_id in expired:
        account = get_account(account_id)
        assert account is not None, account_id
        assert account.state == "deactivated", account_id
    for account_id in purged:
        assert not list(CocoonItem.query(account_pk(account_id))), account_id
        Tombstone.get(f"TOMBSTONE#{account_id}", "TOMBSTONE")


def scan_for_comparison(meter: CapacityMeter, endpoint: str, table: str) -> tuple[Window, int, float]:
    """What one Scan of the table would read (Select=COUNT costs the same as returning the items)."""
    client = raw_client(endpoint)
    started = time.perf_counter()
    count = 0
    with meter.window() as window:
        params: dict[str, Any] = {"TableName": table, "Select": "COUNT"}
        while True:
            page = client.scan(**params)
            count += int(page["Count"])
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return window, count, time.perf_counter() - started


# --- reporting --------------------------------------------------------------------------------


def _lines(window: Window, tally: dict[str, float], unit: str) -> None:
    for key, units in sorted(tally.items()):
        shares = [f"index {index} {part:.2f}" for (k, index), part in window.index_share.items() if k == key]
        of_which = f"  (of which {', '.join(shares)})" if shares else ""
        print(f"        {units:9.2f} {unit}  {window.calls[key]:3d} x {key}{of_which}")


def report(figures: SweepFigures) -> None:
    sweep, base = figures.sweep, figures.baseline
    verdict = "OK" if figures.ok else "MISS"
    print(f"  {figures.name}: {figures.summary} in {figures.seconds:.2f} s")
    print(f"    requests: {dict(sorted(sweep.operations.items()))}; Scan: {sweep.scans}")
    print(f"    read  {sweep.rcu:9.2f} RCU")
    _lines(sweep, sweep.read, "RCU")
    print(f"    write {sweep.wcu:9.2f} WCU (information, no target)")
    _lines(sweep, sweep.write, "WCU")
    print(f"    baseline {base.rcu:.2f} RCU ({base.operations['GetItem']} GetItem: "
          f"{DUE_PER_SWEEP} accounts + {DUE_PER_SWEEP} due actions)")
    print(f"    ratio {figures.ratio:.2f} (target <= {TARGET_RATIO:g}, no Scan) {verdict}")
    rerun = figures.rerun
    print(f"    second run, nothing due: {rerun.rcu:.2f} RCU, requests {dict(rerun.operations)}")


def main() -> None:
    """Start DynamoDB Local in memory, load, measure, stop it again whatever happens."""
    meter = CapacityMeter()
    meter.install()
    database = dynamodb_local.start(port=_PORT)
    try:
        from functions import lifecycle, trial_expiry
        from shared.settings import get_settings

        table, endpoint = get_settings().table_name, database.endpoint
        dynamodb_local.create_tables(endpoint, recreate=True)
        started = time.perf_counter()
        expired_ids, purged_ids = make_due_accounts()
        history_seconds = time.perf_counter() - started
        loaded, by_job, load_seconds = load_bulk(endpoint, table)

        trial_base = baseline(meter, endpoint, table, expired_ids, "DUE#trial-expiry#expire")
        trial = measure(meter, "trial-expiry sweep (functions.trial_expiry.run)", trial_expiry.run,
                        trial_base)
        purge_base = baseline(meter, endpoint, table, purged_ids, "DUE#lifecycle#purge")
        deletion = measure(meter, "deletion sweep (functions.lifecycle.run)", lifecycle.run, purge_base)
        check_effects(expired_ids, purged_ids)
        scan, scanned, scan_seconds = scan_for_comparison(meter, endpoint, table)
    finally:
        database.stop()
        shutil.rmtree(_RUN_DIR, ignore_errors=True)  # the delivered .eml files of the due accounts

    windows = [scan] + [w for f in (trial, deletion) for w in (f.sweep, f.baseline, f.rerun)]
    missing = sum((window.without_capacity for window in windows), Counter[str]())
    failed = sum((window.failed for window in windows), Counter[str]())
    assert not missing, f"DynamoDB Local answered without ConsumedCapacity: {dict(missing)}"
    assert not failed, f"DynamoDB calls failed while measuring: {dict(failed)}"

    print("Sweep read capacity (ReturnConsumedCapacity=INDEXES on every DynamoDB call; "
          "DynamoDB Local returned it for every call)")
    print(f"  data: {ACCOUNTS:,} accounts ({ACCOUNTS - DEACTIVATED_ACCOUNTS:,} in trial, "
          f"{DEACTIVATED_ACCOUNTS:,} deactivated), {DUE_PER_SWEEP} due per sweep, made by the app's own code "
          f"in {history_seconds:.1f} s; {loaded:,} other items written with batch_write_item "
          f"in {load_seconds:.1f} s")
    print(f"  due index, not yet due: trial-expiry {by_job['trial-expiry']:,}, "
          f"lifecycle {by_job['lifecycle']:,} items (plus the {DUE_PER_SWEEP} due of each)")
    print(f"  baseline = reading just the {DUE_PER_SWEEP} due items: per due action one GetItem of the "
          "account and one of the action item, eventually consistent")
    for figures in (trial, deletion):
        report(figures)
    print(f"  for comparison, not done by any sweep: one Scan of the table ({scanned:,} items, "
          f"{scan.operations['Scan']} pages) reads {scan.rcu:,.1f} RCU in {scan_seconds:.1f} s, "
          f"{scan.rcu / trial.baseline.rcu:,.0f} x the baseline")
    ok = trial.ok and deletion.ok
    print(f"sweep read capacity / reading the {DUE_PER_SWEEP} due items: trial-expiry {trial.ratio:.2f}, "
          f"deletion {deletion.ratio:.2f} (target <= {TARGET_RATIO:g} each, no Scan) "
          f"{'OK' if ok else 'MISS'}")


if __name__ == "__main__":
    main()
