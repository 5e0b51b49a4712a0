"""Nightly billing: every ended month of every customer gets exactly one invoice; invoices over HTTP.

The job reads only accounts whose billing cursor is due (a sparse index), so a
night costs what there is to bill. On AWS it fans out per account (see
infra/BILLING_SCALE.md); locally `workers` threads run the same per-account code.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from threading import Lock
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import bad_request, not_found
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


def run(now: datetime, progress: ProgressCallback | None = None, workers: int = 4) -> JobResult:
    from shared.storage.billing import CounterCache
    from shared.storage.schedule import BILLING_JOB, due_actions

    account_ids = sorted({action.account_id for action in due_actions(BILLING_JOB, now)})
    batches = [account_ids[i : i + BATCH_SIZE] for i in range(0, len(account_ids), BATCH_SIZE)]
    result = JobResult(JOB_NAME)
    lock = Lock()
    counters = CounterCache()  # shared: the workers take turns at the counter instead of racing for it
    total = len(account_ids)
    if progress:
        progress(0, total)

    def work(batch: list[str]) -> None:
        try:
            issued = bill_accounts(batch, now, counters)
        except Exception:
            logger.exception("billing a batch failed", extra={"accounts": len(batch)})
            with lock:
                result.failed += len(batch)
            return
        with lock:
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
    from shared.rules.billing import invoice_from_json
    from shared.rules.einvoice import invoice_to_en16931_xml

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
    from shared.rules.billing import draft_to_json, month_to_date_preview
    from shared.storage.billing import billing_account, load_snapshot, today_in

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
    draft = month_to_date_preview(billing_account(snapshot.account), snapshot.history, today, billing_terms())
    return json_response(draft_to_json(draft))
