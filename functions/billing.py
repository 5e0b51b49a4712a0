"""Nightly billing and invoices over HTTP: thin entries into shared/services/billing.

The job (`run`), the queue's consumer (`bill_queued_accounts`) and the fan-out live in the
service; this module names them for app.py and the job registry and answers the three routes.
Services are imported on first use: a cold start that serves another route does not load them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.documents import FORMATS, document_response
from shared.api.errors import bad_request, conflict, not_found
from shared.api.routing import Access, api_route, json_response

if TYPE_CHECKING:
    from shared.jobs import JobResult, ProgressCallback
    from shared.storage.billing import CounterCache

bp = Blueprint(__name__)


def run(now: datetime, progress: ProgressCallback | None = None, workers: int = 4) -> JobResult:
    """The nightly job (functions/jobs.py): bill every account whose cursor is due."""
    from shared.services.billing.batches import run as bill_due_accounts

    return bill_due_accounts(now, progress, workers)


def bill_account(account_id: str, now: datetime, counters: CounterCache | None = None) -> list[str]:
    """Bill one account now (the CLI, tests): the invoice numbers issued."""
    from shared.services.billing.accounts import bill_accounts_at

    return bill_accounts_at([account_id], now, counters)[account_id]


def bill_queued_accounts(messages: Sequence[tuple[str, str]]) -> list[str]:
    """The queue consumer (app.py): the ids of the messages that failed."""
    from shared.services.billing.batches import bill_queued_accounts as bill

    return bill(messages)


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
    from shared.services.billing.invoices import invoice_documents

    return json_response({"invoices": invoice_documents(id, current_scope().now)})


@api_route(
    bp,
    "/accounts/{id}/invoices/{number}",
    "GET",
    access=Access.TENANT,
    summary="One invoice as JSON, as EN 16931 XML (Factur-X CII) with ?format=xml, as PDF/A-3 with ?format=pdf",
    response_model="shared.contracts:InvoiceView",
    query={"format": FORMATS},
)
def show_invoice(id: str, number: str) -> Response:
    from shared.services.billing.invoices import invoice_document

    document = invoice_document(id, number, current_scope().now)
    if document is None:
        raise not_found("invoice")
    return document_response(bp.current_request, document, f"invoice-{number}")


@api_route(
    bp,
    "/accounts/{id}/invoice-preview",
    "GET",
    access=Access.TENANT,
    summary="The running month so far: the same computation as the invoice, nothing written",
    response_model="shared.contracts:InvoicePreview",
)
def invoice_preview(id: str) -> Response:
    from shared.services.billing.invoices import NoSubscription, NothingToPreview
    from shared.services.billing.invoices import invoice_preview as preview

    if tenant_account(id) is None:
        raise not_found("account")
    try:
        draft = preview(id, current_scope().now)
    except NoSubscription as exc:
        raise bad_request(
            "Choose an edition first: a preview needs a subscription.",
            {"edition": "none chosen"},
            code="no_subscription",
        ) from exc
    except NothingToPreview as exc:  # e.g. a day (time travel) before any edition was chosen: nothing to price
        raise conflict("nothing_to_preview", str(exc), {"edition": f"none held on {exc.day}"}) from exc
    if draft is None:
        raise not_found("account")
    return json_response(draft)
