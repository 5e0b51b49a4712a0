"""Credit notes over HTTP: billing staff issue one for an issued invoice; the account reads it (JSON/XML/PDF).

Thin: parse and validate, call shared/services/billing/credit_notes.py, answer. The service is imported
on first use, like billing's.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.documents import FORMATS, document_response
from shared.api.errors import ApiError, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)


@api_route(
    bp,
    "/staff/accounts/{id}/invoices/{number}/credit-notes",
    "POST",
    access=Access.STAFF,
    staff_roles=("billing",),
    creates=True,
    status=201,
    content_types=("application/json",),
    summary="Issue a full or partial credit note (type 381) for an issued invoice; the invoice never changes",
    request_model="shared.credit_note_contracts:CreditNoteRequest",
    response_model="shared.credit_note_contracts:CreditNoteView",
)
def issue_credit_note(id: str, number: str) -> Response:
    request = bp.current_request
    body = raw_body(request)

    def create() -> Response:
        from shared.credit_note_contracts import CreditNoteRequest
        from shared.services.billing import credit_notes as service

        form = validate(CreditNoteRequest, decode_body(body, request.headers))
        amounts = None if form.lines is None else {item.line: item.amount for item in form.lines}
        try:
            document = service.issue_credit_note(
                id, number, service.CreditRequest(form.reason, amounts), current_scope().now
            )
        except service.InvoiceNotFound as exc:
            raise not_found("invoice") from exc
        except service.CreditRefused as exc:
            field = _request_field(exc.field, [item.line for item in form.lines or []])
            raise ApiError(422, "credit_refused", str(exc), {field: str(exc)}) from exc
        return json_response(document, status=201)

    return run_idempotently(request.headers, body, create, bp.lambda_context)


def _request_field(rule_field: str, positions: list[int]) -> str:
    """The rules name a line by its position on the invoice ("lines.3.amount"); the caller's list by index."""
    parts = rule_field.split(".")
    if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in positions:
        parts[1] = str(positions.index(int(parts[1])))
    return ".".join(parts)


@api_route(
    bp,
    "/accounts/{id}/credit-notes/{number}",
    "GET",
    access=Access.TENANT,
    summary="One credit note as JSON, EN 16931 XML (type 381) or PDF/A-3 (send Accept: application/pdf)",
    response_model="shared.credit_note_contracts:CreditNoteView",
    query={"format": FORMATS},
)
def show_credit_note(id: str, number: str) -> Response:
    from shared.services.billing.credit_notes import credit_note_document

    if tenant_account(id) is None:
        raise not_found("account")
    document = credit_note_document(id, number)
    if document is None:
        raise not_found("credit note")
    return document_response(bp.current_request, document, f"credit-note-{number}")
