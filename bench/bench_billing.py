"""Throughput of the nightly billing job against a bare loop doing only the minimal requests per account.

Why: the job must bill 1,000,000 accounts in under an hour on AWS (infra/BILLING_SCALE.md). What
the code adds on top of the unavoidable work per account - one Query of the account's partition
(its history) and one TransactWriteItems (the invoice) - is what this measures: extra requests,
retries lost to the shared invoice counter, and CPU (invoice computation, mail rendering). The job
commits a batch of 25 accounts in one transaction (counter, invoices, mails, cursors), so it makes
fewer requests than the bare loop; what it pays is the Python work and the larger commit.
Target: accounts billed per second of the real job >= 0.7 x the bare loop's, measured in the same
run, against the same DynamoDB Local, with the same concurrency.

Data (DynamoDB Local, in memory): ACCOUNTS customers (default 10,000), paid from 2026-03-01
(converted from a trial on 20 February, team edition), each with 5 users and 10 seat events
(100,000 in all: five activations in February, then three users leave and two of them come back in
March), its edition change and its billing cursor due at the end of March, as the life-cycle code
writes them (18 items per account). Items are serialized by the PynamoDB models themselves
(`Model.serialize()`, `item_type` included) and written with `batch_write_item` from several threads.

The two runs over the same partitions, at now = 2026-04-01T03:00+02:00 (March is billed), in
ROUNDS rounds: the accounts are split into ROUNDS shares (each share's cursors due in its own
minute), and in each round the bare loop and the job take turns on that round's share,
the one going first swapping from round to round. A shared machine's slow minutes then fall on both
runs alike instead of on whichever ran then; each round's ratio is printed, and the totals give the
ratio.
- bare: WORKERS threads; per account one boto3 Query of the partition (paginated) and one
  TransactWriteItems putting one invoice-sized item, under the condition that it does not exist,
  outside the partition (pk `BARE#<id>`), so both read exactly the same data;
- real: `functions.billing.run(now + round minutes, workers=WORKERS)`, exactly what the scheduled
  job runs: it finds that round's accounts due and bills them.

How requests are counted: every DynamoDB call of every botocore client (PynamoDB's and boto3's)
goes through `botocore.client.BaseClient._make_api_call`, which is wrapped at class level; a
`before-send` handler on each client counts HTTP attempts, so botocore's own retries show too.

Besides calls per operation, the wrapper adds up the wall time spent inside each operation's calls,
so each run's time per account splits into "in DynamoDB calls" and "elsewhere" (Python work, and
waiting for the GIL with several workers).

Run: ``python bench/bench_billing.py`` from the project root (10,000 accounts: ~4 minutes on a
busy 2-core machine - loading ~1 min, each run ~1 min); ``--accounts 2000`` for a quick look;
``--rounds N`` (default 4); ``--workers N``; ``--profile`` adds a cProfile of the job's batches
(where the time of the real run goes; it slows the real run); ``--bare-items 4`` makes the bare
loop commit four items per account (counter, invoice, mail, cursor; a counter per account, so
nothing shared), what a per-invoice commit would cost.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.request_counting import DynamoDBCounter, Window  # noqa: E402 - needs nothing from the environment
from bench.world import bulk_write, raw_client  # noqa: E402 - imports boto3 on first use
from infra import dynamodb_local  # noqa: E402 - needs nothing from the environment

# Before any shared.* import: the storage models bind their endpoint and table at import.
_PORT, _RUN_DIR = dynamodb_local.isolated_environment("cocoon-bench-billing-")


ACCOUNTS = 10_000
SEAT_EVENTS_PER_ACCOUNT = 10
WORKERS = 4
ROUNDS = 4
TARGET_RATIO = 0.7
NOW = datetime.fromisoformat("2026-04-01T03:00:00+02:00")
INVOICE_ITEM_BYTES = 2200  # what the bare loop writes per account (a real invoice item: ~2.2 KB, printed)
MAIL_ITEM_BYTES = 900  # the mail-like item of --bare-items 4 (a real invoice mail: printed)


# --- counting: bench/request_counting.py; loading: bench/world.py --------------------------------


# --- the data -------------------------------------------------------------------------------------


def _partition(number: int, round_number: int = 0) -> list[Any]:
    """One customer as the life-cycle code leaves it: account, 5 users, 10 seat events, edition, cursor.

    The cursor is due within the round's minute (the life-cycle code would put it at the end of
    March, earlier than all of them), so the job run of each round, at NOW + round minutes, finds
    exactly that round's accounts due.
    """
    from zoneinfo import ZoneInfo

    from shared.storage.accounts import seat_event
    from shared.storage.lifecycle import edition_change
    from shared.storage.models import Account, User, account_pk
    from shared.storage.schedule import billing_cursor, first_billing_moment

    zone = ZoneInfo("Europe/Berlin")
    account_id = f"acc_{number:016x}"
    pk = account_pk(account_id)
    created = datetime(2026, 1, 30, 9, 0, tzinfo=UTC) + timedelta(seconds=number)
    converted = datetime(2026, 2, 20, 10, 0, tzinfo=UTC)
    account = Account(
        pk, "ACCOUNT", account_id=account_id, state="customer", company_name=f"Bench {number} GmbH",
        organization_type="company", country="DE", vat_id="DE136695976", admin_name="Erika Mustermann",
        admin_email=f"admin-{number}@bench.example", language="de", dpa_version="2026-01",
        dpa_accepted_at=created, created_at=created, verified_at=created, trial_started_on="2026-01-30",
        trial_ends_on="2026-02-28", paid_from="2026-03-01", edition="team", street="Hauptstraße 5",
        postcode="70173", city="Stuttgart",
    )
    items: list[Any] = [account, edition_change(account_id, "team", converted, converted)]
    events = 0
    for person in range(5):
        user_id = "admin" if person == 0 else f"user{person}"
        joined = created + timedelta(days=person * 3)
        left = person in (1, 2, 3)
        items.append(User(pk, f"USER#{user_id}", account_id=account_id, user_id=user_id,
                          email=f"{user_id}-{number}@bench.example", name=f"Person {person}",
                          role="admin" if person == 0 else "user", active=person not in (3,), created_at=joined))
        items.append(seat_event(account_id, user_id, True, joined))
        events += 1
        if left:  # three users leave in March, two of them come back
            gone = datetime(2026, 3, 5 + person, 12, 0, tzinfo=UTC)
            items.append(seat_event(account_id, user_id, False, gone))
            events += 1
            if person in (1, 2):
                items.append(seat_event(account_id, user_id, True, gone + timedelta(days=7)))
                events += 1
    assert events == SEAT_EVENTS_PER_ACCOUNT
    assert first_billing_moment(datetime(2026, 3, 1).date(), zone) <= NOW  # March has ended at NOW
    items.append(billing_cursor(account_id, NOW + timedelta(minutes=round_number, seconds=-30)))
    return items


def load(endpoint: str, table: str, accounts: int, rounds: int) -> tuple[int, int, float]:
    """Write every partition; (items, seat events, seconds)."""
    from shared.storage.models import SeatEvent

    started = time.perf_counter()
    seat_events = 0

    def items() -> Iterator[dict[str, Any]]:
        nonlocal seat_events
        for number in range(accounts):
            for model in _partition(number, _round_of(number, accounts, rounds)):
                seat_events += isinstance(model, SeatEvent)
                yield model.serialize()

    bulk_write(endpoint, table, items())
    return accounts * len(_partition(0)), seat_events, time.perf_counter() - started


def _round_of(number: int, accounts: int, rounds: int) -> int:
    return number * rounds // accounts


# --- the two runs ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    label: str
    accounts: int
    workers: int
    seconds: float
    window: Window
    note: str = ""

    @property
    def rate(self) -> float:
        return self.accounts / self.seconds

    def report(self) -> None:
        calls = self.window.total
        retries = self.window.attempts - calls
        print(f"  {self.label:<5} {self.rate:8.1f} accounts/s  ({self.accounts:,} accounts in {self.seconds:.1f} s; "
              f"{calls / self.accounts:.2f} requests/account; botocore retries {retries}){self.note}")
        for name, count in sorted(self.window.operations.items()):
            spent = self.window.seconds[name]
            print(f"          {count / self.accounts:6.3f}  {name:<20} {1000 * spent / count:6.1f} ms per call, "
                  f"{1000 * spent / self.accounts:6.1f} ms per account")
        waiting = self.window.seconds_in_calls
        busy = self.seconds * self.workers - waiting
        print(f"          per account: {1000 * waiting / self.accounts:.1f} ms in DynamoDB calls, "
              f"{1000 * busy / self.accounts:.1f} ms elsewhere (Python: computing, rendering, (de)serializing; "
              "waiting for the GIL)")
        database = self.window.database_cpu
        print(f"          CPU per account: this process {1000 * self.window.python_cpu / self.accounts:.1f} ms, "
              f"DynamoDB Local {'n/a' if database is None else f'{1000 * database / self.accounts:.1f} ms'}")


class ThreadProfiles:
    """cProfile in every thread the job starts (cProfile sees only its own thread), merged at the end."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self.lock = threading.Lock()

    @contextmanager
    def active(self) -> Iterator[None]:
        import shared.services.billing.accounts as job

        original = job.bill_accounts_at

        def profiled(account_ids: list[str], now: datetime, counters: Any = None) -> dict[str, list[str]]:
            profile = getattr(self.local, "profile", None)
            if profile is None:
                profile = self.local.profile = cProfile.Profile()
                with self.lock:
                    self.profiles.append(profile)
            profile.enable()
            try:
                return original(account_ids, now, counters)
            finally:
                profile.disable()

        self.local = threading.local()
        job.bill_accounts_at = profiled  # the batches look it up at call time
        try:
            yield
        finally:
            job.bill_accounts_at = original

    def print(self, lines: int = 25) -> None:
        """Cumulative time of Cocoon's own functions and of DynamoDB calls, then the top functions by own time."""
        if not self.profiles:
            return
        out = io.StringIO()
        stats = pstats.Stats(*self.profiles, stream=out)
        ours = r"main/(shared|functions)/|botocore/client.py.*_make_api_call"
        stats.sort_stats("cumulative").print_stats(ours, lines)
        stats.sort_stats("tottime").print_stats(lines)
        print(out.getvalue())


def real_round(
    counter: DynamoDBCounter, window: Window, accounts: int, now: datetime, workers: int,
    profiles: ThreadProfiles | None,
) -> tuple[float, Any]:
    """One round of the job exactly as scheduled - `functions.billing.run(now)`; (seconds, its result)."""
    from functions import billing

    with counter.window(window):
        started = time.perf_counter()
        if profiles is not None:
            with profiles.active():
                result = billing.run(now, workers=workers)
        else:
            result = billing.run(now, workers=workers)
        seconds = time.perf_counter() - started
    issued = result.details.get("invoices issued", 0)
    if result.failed or issued != accounts:
        raise RuntimeError(f"the job did not bill the round's {accounts} accounts once each: {result.summary()}")
    return seconds, result


def stored_bytes(endpoint: str, table: str, sk_prefix: str) -> int:
    """The size of a real item of account 0 as stored (attribute names and values), to compare with the bare writes."""
    page = raw_client(endpoint, 1).query(
        TableName=table, KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues={":pk": {"S": "ACCOUNT#acc_0000000000000000"}, ":sk": {"S": sk_prefix}},
    )
    item = page["Items"][0]
    return sum(len(name) + len(str(next(iter(value.values())))) for name, value in item.items())


def bare_items(table: str, account_id: str, count: int) -> list[dict[str, Any]]:
    """What the bare loop's transaction puts: an invoice-sized item; with count=4 a per-invoice commit.

    Four items are what committing each invoice on its own would hold - a counter, the invoice (in
    the lookup index), its mail and the moved cursor (both in the due index) - but every account has
    its own counter, so nothing is shared: the cost of a per-invoice commit without any counter race.
    """
    pk = {"S": f"BARE#{account_id}"}
    due = {"S": "2026-04-30T22:00:00Z"}
    items = [
        {"pk": pk, "sk": {"S": "INVOICE#2026-03"}, "item_type": {"S": "bare"},
         "lookup_key": {"S": f"BARE-INVOICE#{account_id}"}, "document": {"S": "x" * INVOICE_ITEM_BYTES}},
        {"pk": pk, "sk": {"S": "COUNTER"}, "item_type": {"S": "bare"}, "last_sequence": {"N": "1"}},
        {"pk": pk, "sk": {"S": "MAIL#invoice"}, "item_type": {"S": "bare"}, "due_job": {"S": "bench-bare-mail"},
         "due_at": due, "body_text": {"S": "x" * MAIL_ITEM_BYTES}},
        {"pk": pk, "sk": {"S": "DUE#billing"}, "item_type": {"S": "bare"}, "due_job": {"S": "bench-bare"},
         "due_at": due},
    ][:count]
    return [{"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
            for item in items]


def bare_round(
    counter: DynamoDBCounter, window: Window, endpoint: str, table: str, ids: list[str], workers: int,
    items_per_commit: int,
) -> float:
    """Per account one Query of its partition and one TransactWriteItems: the floor; the round's seconds.

    It writes outside the partitions (pk "BARE#<id>"), so the job reads exactly what the bare loop
    read. By default the transaction puts one item as large as a real invoice item;
    `--bare-items 4` puts a per-invoice commit (see bare_items).
    """
    client = raw_client(endpoint, workers * 2)

    def bill(account_id: str) -> None:
        pk = f"ACCOUNT#{account_id}"
        arguments: dict[str, Any] = {"TableName": table, "KeyConditionExpression": "pk = :pk",
                                     "ExpressionAttributeValues": {":pk": {"S": pk}}}
        items: list[Any] = []
        while True:
            page = client.query(**arguments)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                break
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        assert items, account_id
        client.transact_write_items(TransactItems=bare_items(table, account_id, items_per_commit))

    with counter.window(window):
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(bill, ids))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--profile", action="store_true", help="cProfile the real run's worker threads")
    parser.add_argument("--rounds", type=int, default=ROUNDS,
                        help="rounds in which the bare loop and the job take turns, each on its own share of accounts")
    parser.add_argument("--bare-items", type=int, choices=(1, 4), default=1,
                        help="items in the bare loop's transaction: 1 (the target's floor) or 4 (as the job commits)")
    options = parser.parse_args()

    database = dynamodb_local.start(port=_PORT)
    counter = DynamoDBCounter(database_pid=database.process.pid)
    counter.install()
    rounds = max(1, min(options.rounds, options.accounts))
    try:
        from shared.settings import get_settings
        from shared.storage.models import InvoiceCounter

        table = get_settings().table_name
        dynamodb_local.create_tables(database.endpoint, recreate=True)
        items, seat_events, load_seconds = load(database.endpoint, table, options.accounts, rounds)
        print(f"Billing bench: {options.accounts:,} accounts with {seat_events:,} seat events "
              f"({items:,} items) loaded in {load_seconds:.1f} s; {options.workers} workers; "
              f"now {NOW.isoformat()} (bills March); {rounds} rounds, bare loop and job taking turns")
        profiles = ThreadProfiles() if options.profile else None
        real_window, bare_window = Window(), Window()
        real_seconds = bare_seconds = 0.0
        summaries = []
        for round_number in range(rounds):
            ids = [f"acc_{n:016x}" for n in range(options.accounts)
                   if _round_of(n, options.accounts, rounds) == round_number]
            now = NOW + timedelta(minutes=round_number)
            # Taking turns, and swapping who goes first, spreads the machine's moods over both.
            order = ("bare", "real") if round_number % 2 == 0 else ("real", "bare")
            timings: dict[str, float] = {}
            for which in order:
                if which == "bare":
                    timings[which] = bare_round(counter, bare_window, database.endpoint, table, ids,
                                                options.workers, options.bare_items)
                else:
                    timings[which], result = real_round(counter, real_window, len(ids), now, options.workers, profiles)
                    summaries.append(result.summary())
            real_seconds += timings["real"]
            bare_seconds += timings["bare"]
            print(f"  round {round_number + 1}: {len(ids):,} accounts, real {len(ids) / timings['real']:.1f}/s, "
                  f"bare {len(ids) / timings['bare']:.1f}/s, ratio {timings['bare'] / timings['real']:.2f}")
        last = InvoiceCounter.get("COUNTER#INVOICE#2026", "COUNTER", consistent_read=True).last_sequence
        sizes = {prefix: stored_bytes(database.endpoint, table, prefix) for prefix in ("INVOICE#", "MAIL#")}
    finally:
        database.stop()

    note = f"\n          job: {'; '.join(summaries)}; counter at {last}"
    if last != options.accounts:
        note += "  <- NOT every account billed exactly once"
    real = Outcome("real", options.accounts, options.workers, real_seconds, real_window, note)
    label = "bare" if options.bare_items == 1 else f"bare{options.bare_items}"
    bare = Outcome(label, options.accounts, options.workers, bare_seconds, bare_window)
    real.report()
    bare.report()
    ratio = real.rate / bare.rate
    per_account_ms = 1000 * options.workers / real.rate
    print(f"  real job: {per_account_ms:.1f} ms per account per worker; bare: "
          f"{1000 * options.workers / bare.rate:.1f} ms; real invoice and mail items: {sizes['INVOICE#']:,} and "
          f"{sizes['MAIL#']:,} bytes, the bare loop's: {INVOICE_ITEM_BYTES:,} and {MAIL_ITEM_BYTES:,}")
    print(f"billing throughput: real {real.rate:.1f} accounts/s, bare {bare.rate:.1f} accounts/s, "
          f"ratio {ratio:.2f} (target >= {TARGET_RATIO}) {'OK' if ratio >= TARGET_RATIO else 'MISS'}; "
          f"requests/account {real.window.total / real.accounts:.2f} vs {bare.window.total / bare.accounts:.2f}")
    if profiles is not None:
        profiles.print()


if __name__ == "__main__":
    main()
