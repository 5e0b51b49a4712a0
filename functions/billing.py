"""Nightly billing: every ended month of every customer gets exactly one invoice; invoices over HTTP.

The job reads only accounts whose billing cursor is due (a sparse index), so a
night costs what there is to bill. Deployed, it fans out: the nightly run puts
one message per due account into the billing queue and the queue's consumers
bill them in batches (`bill_queued_accounts`, infra/BILLING_SCALE.md); locally
`workers` threads run the same batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from threading import Lock
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import bad_request, conflict, not_found
from shared.api.requests import query_param
from shared.api.routing import Access, api_route, json_response
from shared.jobs import JobResult, ProgressCallback
from shared.observability import logger

if TYPE_CHECKING:
    from shared.storage.billing import CounterCache

bp = Blueprint(__name__)
JOB_NAME = "billing"
# Accounts billed together: their invoices, mails and cursors share one transaction with the counter
# (a month each is 3 items of the 100 a transaction holds; accounts owing more months spill into more).
BATCH_SIZE = 25
# The SQS queue the nightly run fills and the consumer reads (created by infra/package.py's template).
BILLING_QUEUE = "cocoon-billing"
# Messages a consumer takes at once: one batch of accounts, billed in one commit.
QUEUE_BATCH_SIZE = BATCH_SIZE


def bill_accounts(account_ids: list[str], now: datetime, counters: CounterCache | None = None) -> dict[str, list[str]]:
    """The work item (on AWS: an SQS batch): bills the accounts, returns the invoice numbers issued per account."""
    from shared.derived import billing_terms
    from shared.policy import get_policy
    from shared.storage.billing import CounterCache, today_in
    from shared.storage.billing import bill_accounts as bill

    policy = get_policy()
    return bill(account_ids, today_in(now, policy), now, policy, counters or CounterCache(), billing_terms())


def bill_account(account_id: str, now: datetime, counters: CounterCache | None = None) -> list[str]:
    return bill_accounts([account_id], now, counters)[account_id]


def bill_batch(account_ids: list[str], now: datetime, counters: CounterCache) -> tuple[dict[str, list[str]], set[str]]:
    """Bill a batch in one commit; if that fails, each account alone, so one unreadable account fails alone.

    Returns the numbers issued per account and the accounts that could not be billed (they stay
    due: the next run, or the queue's next delivery, tries them again).
    """
    try:
        return bill_accounts(account_ids, now, counters), set()
    except Exception:
        logger.exception("billing a batch failed; billing each account alone", extra={"accounts": len(account_ids)})
    issued: dict[str, list[str]] = {}
    failed: set[str] = set()
    for account_id in account_ids:
        try:
            issued.update(bill_accounts([account_id], now, counters))
        except Exception:
            logger.exception("billing an account failed", extra={"account_id": account_id})
            failed.add(account_id)
    return issued, failed


def run(now: datetime, progress: ProgressCallback | None = None, workers: int = 4) -> JobResult:
    """The nightly job: bill every account whose cursor is due - through the queue where there is one."""
    from shared.settings import get_settings
    from shared.storage.schedule import BILLING_JOB, due_actions

    account_ids = sorted({action.account_id for action in due_actions(BILLING_JOB, now)})
    queue_url = get_settings().billing_queue_url
    if queue_url:
        return dispatch(account_ids, now, _queue_sender(queue_url), progress)
    return bill_in_process(account_ids, now, progress, workers)


def bill_in_process(
    account_ids: list[str], now: datetime, progress: ProgressCallback | None = None, workers: int = 4
) -> JobResult:
    """Bill the accounts here, in batches over `workers` threads (locally, and the CLI)."""
    from shared.storage.billing import CounterCache

    batches = [account_ids[i : i + BATCH_SIZE] for i in range(0, len(account_ids), BATCH_SIZE)]
    result = JobResult(JOB_NAME)
    lock = Lock()
    counters = CounterCache()  # shared: the workers take turns at the counter instead of racing for it
    total = len(account_ids)
    if progress:
        progress(0, total)

    def work(batch: list[str]) -> None:
        issued, failed = bill_batch(batch, now, counters)
        with lock:
            result.failed += len(failed)
            for numbers in issued.values():
                if numbers:
                    result.done += 1
                    result.count("invoices issued", len(numbers))
                else:
                    result.skipped += 1
            if progress:
                progress(result.done + result.skipped + result.failed, total)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(work, batches))
    return result


# --- fan-out through SQS ------------------------------------------------------------------------

# Sends up to 10 message bodies; returns the indexes of those SQS did not take.
QueueSender = Callable[[list[str]], list[int]]
SEND_ATTEMPTS = 5
DISPATCH_THREADS = 16  # 1,000,000 accounts are 100,000 SendMessageBatch calls: about a minute from 16 threads


def dispatch(
    account_ids: list[str],
    now: datetime,
    send: QueueSender,
    progress: ProgressCallback | None = None,
    senders: int = DISPATCH_THREADS,
) -> JobResult:
    """Put one work item per account into the billing queue, ten per request, retrying what SQS refuses.

    Sending an account twice (a re-run of the night) costs a Query: its consumer finds the months
    billed. An account that could not be queued stays due and is billed the next night.
    """
    from shared.contracts import BillingWorkItem

    result = JobResult(JOB_NAME)
    lock = Lock()
    total = len(account_ids)
    if progress:
        progress(0, total)

    def send_ten(start: int) -> None:
        bodies = [
            BillingWorkItem(account_id=account_id, now=now).model_dump_json()
            for account_id in account_ids[start : start + 10]
        ]
        queued = 0
        for _attempt in range(SEND_ATTEMPTS):
            refused = set(send(bodies))
            queued += len(bodies) - len(refused)
            bodies = [body for index, body in enumerate(bodies) if index in refused]
            if not bodies:
                break
        if bodies:
            logger.error("SQS refused billing work items", extra={"accounts": len(bodies)})
        with lock:
            result.done += queued
            result.failed += len(bodies)
            if queued:
                result.count("accounts queued", queued)
            if progress:
                progress(result.done + result.failed, total)

    with ThreadPoolExecutor(max_workers=max(1, senders)) as pool:
        list(pool.map(send_ten, range(0, total, 10)))
    return result


def _queue_sender(queue_url: str) -> QueueSender:
    import boto3
    from botocore.config import Config

    sqs = boto3.client("sqs", config=Config(max_pool_connections=DISPATCH_THREADS))

    def send(bodies: list[str]) -> list[int]:
        answer = sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(index), "MessageBody": body} for index, body in enumerate(bodies)]
        )
        return [int(entry["Id"]) for entry in answer.get("Failed", [])]

    return send


def bill_queued_accounts(messages: Sequence[tuple[str, str]]) -> list[str]:
    """The queue consumer: bill the accounts of (message id, body) pairs; return the ids that failed.

    The batch is billed together (one commit). If that fails, each account is billed alone, so one
    bad account does not send the other 24 back to the queue; what still fails - and any message
    that is not a work item - goes back to SQS and, after its retries, to the dead-letter queue.
    """
    from pydantic import ValidationError

    from shared.contracts import BillingWorkItem
    from shared.storage.billing import CounterCache

    failed: list[str] = []
    nights: dict[datetime, list[tuple[str, str]]] = {}
    for message_id, body in messages:
        try:
            item = BillingWorkItem.model_validate_json(body)
        except ValidationError as exc:
            logger.error("not a billing work item", extra={"message_id": message_id, "errors": exc.error_count()})
            failed.append(message_id)
            continue
        nights.setdefault(item.now, []).append((message_id, item.account_id))
    counters = CounterCache()  # per invocation: other consumers move the counter all the time
    for now, items in nights.items():
        _, unbilled = bill_batch(sorted({account_id for _, account_id in items}), now, counters)
        failed += [message_id for message_id, account_id in items if account_id in unbilled]
    return failed


def batch_item_failures(failed_message_ids: list[str]) -> dict[str, Any]:
    """Lambda's partial batch response: only these messages return to the queue (ReportBatchItemFailures)."""
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed_message_ids]}


@api_route(
    bp,
    "/accounts/{id}/invoices",
    "GET",
    access=Access.TENANT,
    summary="The account's invoices, newest first",
    response_model="shared.contracts:InvoiceList",
)
def list_invoices(id: str) -> Response:
    from shared.storage.billing import list_invoices as stored

    invoices = sorted(stored(id), key=lambda item: item.number, reverse=True)
    return json_response({"invoices": [item.document for item in invoices]})


@api_route(
    bp,
    "/accounts/{id}/invoices/{number}",
    "GET",
    access=Access.TENANT,
    summary="One invoice as JSON, or as EN 16931 XML (Factur-X CII) with ?format=xml",
    response_model="shared.contracts:InvoiceView",
    query={"format": "json (default) or xml"},
)
def show_invoice(id: str, number: str) -> Response:
    from shared.storage.billing import find_invoice

    item = find_invoice(id, number)
    if item is None:
        raise not_found("invoice")
    wanted = query_param(bp.current_request, "format", "json")
    if wanted == "json":
        return json_response(item.document)
    if wanted != "xml":
        raise bad_request("format must be json or xml.", {"format": "json or xml"})
    from shared.rules.billing.einvoice import invoice_to_en16931_xml
    from shared.storage.invoice_json import invoice_from_json

    xml = invoice_to_en16931_xml(invoice_from_json(item.document))
    return Response(
        body=xml.decode("utf-8"),
        status_code=200,
        headers={
            "Content-Type": "application/xml; charset=utf-8",
            "Content-Disposition": f'attachment; filename="invoice-{number}.xml"',
        },
    )


@api_route(
    bp,
    "/accounts/{id}/invoice-preview",
    "GET",
    access=Access.TENANT,
    summary="The running month so far: the same computation as the invoice, nothing written",
    response_model="shared.contracts:InvoicePreview",
)
def invoice_preview(id: str) -> Response:
    from shared.derived import billing_terms
    from shared.policy import get_policy
    from shared.rules.billing import BillingError, month_to_date_preview
    from shared.storage.billing import billing_account, load_snapshot, today_in
    from shared.storage.invoice_json import draft_to_json

    account = tenant_account(id)
    snapshot = load_snapshot(id)
    if account is None or snapshot is None:
        raise not_found("account")
    if account.paid_from is None:
        raise bad_request(
            "Choose an edition first: a preview needs a subscription.",
            {"edition": "none chosen"},
            code="no_subscription",
        )
    today = today_in(current_scope().now, get_policy())
    try:
        draft = month_to_date_preview(billing_account(snapshot.account), snapshot.history, today, billing_terms())
    except BillingError as exc:  # e.g. a day (time travel) before any edition was chosen: nothing to price
        raise conflict("nothing_to_preview", str(exc), {"edition": f"none held on {today.isoformat()}"}) from exc
    return json_response(draft_to_json(draft))
