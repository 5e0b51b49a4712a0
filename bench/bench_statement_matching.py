"""Matching a camt.053 statement against open invoices: DynamoDB requests per entry and throughput (issue 18).

Why: a bank statement names invoices by number; the import must find each one without a Scan and book
it in one transaction, so a statement of 10,000 entries costs about what 10,000 lookups and 10,000
bookings cost, however many invoices are open. Targets: <= 2 DynamoDB requests per entry, no Scan, and
the import's throughput >= 0.7 x that of the bare requests (the same Query of the lookup index and the
same TransactWriteItems, made directly with boto3 and nothing else).

Data (DynamoDB Local, in memory): `--invoices` open invoices (default 100,000) written with the
PynamoDB models' own serialization through bench/world.py; a statement of `--entries` credits (default
10,000), each paying one of them in full, its number in the remittance. The bare loop books another
set of invoices of the same shape, so both start from unpaid invoices. Run with smaller sizes on a
loaded machine: `python bench/bench_statement_matching.py --entries 1000 --invoices 10000`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.request_counting import DynamoDBCounter, Window
from bench.world import bulk_write, raw_client
from infra import dynamodb_local

# Before any shared.* import: the storage models bind their endpoint and table at import.
_PORT, _RUN_DIR = dynamodb_local.isolated_environment("cocoon-bench-matching-")

TARGET_REQUESTS = 2.0
TARGET_RATIO = 0.7
NOW = datetime(2026, 4, 20, 10, 0, tzinfo=UTC)
TOTAL = "119.00"


def number_of(n: int) -> str:
    return f"2026-{n:06d}"


def invoice_items(count: int) -> Iterator[dict[str, Any]]:
    from shared.storage.keys import billing as keys
    from shared.storage.models import InvoiceDocument, account_pk
    from shared.storage.payments import index_as_open

    for n in range(1, count + 1):
        number = number_of(n)
        account_id = f"acc_{n:07d}"
        invoice = InvoiceDocument(
            account_pk(account_id), f"INVOICE#2026-03#{n}", account_id=account_id, number=number, month="2026-03",
            issued_on="2026-04-01", lookup_key=keys.invoice_lookup_key(number),
            document={"number": number, "total": TOTAL, "currency": "EUR", "due_on": "2026-04-15"},
        )
        index_as_open(invoice)
        yield invoice.serialize()


def statement(first: int, entries: int) -> Any:
    from shared.banking.camt import Statement, StatementEntry

    return Statement("BENCH-1", tuple(
        StatementEntry(reference=f"E{n}", amount=Decimal(TOTAL), currency="EUR", credit=True, reversal=False,
                       booked_on=date(2026, 4, 20), end_to_end_id="NOTPROVIDED",
                       remittance=f"Rechnung {number_of(n)}", return_reason="")
        for n in range(first, first + entries)
    ))


def bare(client: Any, table: str, first: int, entries: int) -> None:
    """The same requests with nothing around them: the lookup Query, then the booking transaction."""
    for n in range(first, first + entries):
        number = number_of(n)
        found = client.query(
            TableName=table, IndexName="lookup", KeyConditionExpression="lookup_key = :k",
            ExpressionAttributeValues={":k": {"S": f"INVOICE#{number}"}},
        )["Items"][0]
        key = {"pk": found["pk"], "sk": found["sk"]}
        client.transact_write_items(TransactItems=[
            {"Update": {
                "TableName": table, "Key": key,
                "UpdateExpression": "SET paid_amount = :p, payment_version = :v REMOVE due_job, due_at",
                "ConditionExpression": "attribute_not_exists(payment_version)",
                "ExpressionAttributeValues": {":p": {"S": TOTAL}, ":v": {"N": "1"}},
            }},
            {"Put": {"TableName": table, "Item": {**key, "sk": {"S": f"PAYMENT#{number}#bare"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--invoices", type=int, default=100_000)
    args = parser.parse_args()
    warm_up = min(500, args.entries)  # DynamoDB Local's JVM warms up first: neither side measures that
    if args.invoices < 2 * args.entries + warm_up:
        parser.error("--invoices must exceed twice --entries (the import and the bare loop each pay their own)")
    counter = DynamoDBCounter()
    counter.install()
    database = dynamodb_local.start(port=_PORT)
    try:
        from shared.services.billing.payments import import_statement
        from shared.settings import get_settings

        table, endpoint = get_settings().table_name, database.endpoint
        dynamodb_local.create_tables(endpoint, recreate=True)
        started = time.perf_counter()
        loaded = bulk_write(endpoint, table, invoice_items(args.invoices))
        print(f"loaded {loaded:,} open invoices in {time.perf_counter() - started:.1f} s")
        bare(raw_client(endpoint, 2), table, 2 * args.entries + 1, warm_up)
        with counter.window() as job:
            started = time.perf_counter()
            result = import_statement(statement(1, args.entries), NOW)
            job_seconds = time.perf_counter() - started
        assert len(result["matched"]) == args.entries, "every entry must match its invoice"
        base = Window()
        with counter.window(base):
            started = time.perf_counter()
            bare(raw_client(endpoint, 2), table, args.entries + 1, args.entries)
            bare_seconds = time.perf_counter() - started
    finally:
        database.stop()
    per_entry = job.total / args.entries
    ratio = (args.entries / job_seconds) / (args.entries / bare_seconds)
    print(f"statement of {args.entries:,} entries against {args.invoices:,} open invoices")
    print(f"DynamoDB requests: {dict(job.operations)}; Scan: {job.operations.get('Scan', 0)}")
    print(f"requests per entry: {per_entry:.2f} (target <= {TARGET_REQUESTS}; bare: {base.total / args.entries:.2f})")
    print(f"throughput: import {args.entries / job_seconds:.0f} entries/s, bare {args.entries / bare_seconds:.0f}/s: "
          f"ratio {ratio:.2f} (target >= {TARGET_RATIO})")
    few = per_entry <= TARGET_REQUESTS + 2 / args.entries  # + the statement's own check and mark
    met = few and job.operations.get("Scan", 0) == 0 and ratio >= TARGET_RATIO
    print("target met" if met else "target NOT met")


if __name__ == "__main__":
    main()
