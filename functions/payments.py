"""Getting paid over HTTP (billing staff): payments by hand, write-offs, camt.053 statements, open items."""

from __future__ import annotations

import uuid

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, bad_request, conflict
from shared.api.payments import idempotent, payment_form, refusals, staff_id
from shared.api.requests import query_param, raw_body
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)
BILLING = ("billing",)
XML_TYPES = ("application/xml", "text/xml")


@api_route(
    bp,
    "/staff/invoices/{number}/payments",
    "POST",
    access=Access.STAFF,
    staff_roles=BILLING,
    creates=True,
    status=201,
    summary="Book a payment on an invoice by hand",
    request_model="shared.payment_contracts:PaymentRequest",
)
def record_payment(number: str) -> Response:
    from shared.services.billing import payments

    def create() -> Response:
        form = payment_form(bp, "PaymentRequest")
        key = bp.current_request.headers.get("idempotency-key") or uuid.uuid4().hex  # no key: a new payment
        now = current_scope().now
        view = refusals(lambda: payments.record_payment(number, form.amount, key, now, staff_id(), form.note))
        return json_response(view, status=201)

    return idempotent(bp, create)


@api_route(
    bp,
    "/staff/invoices/{number}/write-off",
    "POST",
    access=Access.STAFF,
    staff_roles=BILLING,
    creates=True,
    summary="Write off what is owed on an invoice",
    request_model="shared.payment_contracts:WriteOffRequest",
)
def write_off(number: str) -> Response:
    from shared.services.billing import payments

    def create() -> Response:
        payment_form(bp, "WriteOffRequest")
        return json_response(refusals(lambda: payments.write_off(number, current_scope().now)))

    return idempotent(bp, create)


@api_route(
    bp,
    "/staff/bank-statements",
    "POST",
    access=Access.STAFF,
    staff_roles=BILLING,
    creates=True,
    content_types=XML_TYPES,
    summary="Import a camt.053 statement: credits are matched to invoices by number",
    max_body_policy="billing.max_statement_bytes",
)
def import_statement() -> Response:
    from shared.banking.camt import StatementRefused, parse_camt053
    from shared.services.billing import payments

    def create() -> Response:
        try:
            statement = parse_camt053(raw_body(bp.current_request))
        except StatementRefused as exc:
            raise ApiError(422, "not_camt053", str(exc), {exc.field: str(exc)}) from exc
        try:
            result = payments.import_statement(statement, current_scope().now)
        except payments.DuplicateStatement as exc:
            raise conflict(
                "duplicate_statement", "This statement was imported before.", {"Stmt/Id": "imported"}
            ) from exc
        return json_response(result, status=201)

    return idempotent(bp, create)


@api_route(
    bp,
    "/staff/unmatched-credits",
    "GET",
    access=Access.STAFF,
    staff_roles=BILLING,
    summary="Credits of imported statements that name no open invoice",
)
def unmatched_credits() -> Response:
    from shared.services.billing import payments

    return json_response({"credits": payments.unmatched_credits()})


@api_route(
    bp,
    "/staff/unmatched-credits/assignments",
    "POST",
    access=Access.STAFF,
    staff_roles=BILLING,
    creates=True,
    summary="Book an unmatched credit on an invoice",
    request_model="shared.payment_contracts:CreditAssignment",
)
def assign_credit() -> Response:
    from shared.services.billing import payments

    def create() -> Response:
        form = payment_form(bp, "CreditAssignment")
        now = current_scope().now
        return json_response(refusals(lambda: payments.assign_credit(form.statement_id, form.entry, form.number, now)))

    return idempotent(bp, create)


@api_route(
    bp,
    "/staff/open-items",
    "GET",
    access=Access.STAFF,
    staff_roles=BILLING,
    summary="Open and overdue invoices with aging buckets (0-30, 31-60, 61-90, >90 days)",
    query={"format": "json (default) or csv"},
)
def open_items() -> Response:
    from shared.services.billing import payments

    wanted = query_param(bp.current_request, "format", "json")
    if wanted not in ("json", "csv"):
        raise bad_request("format must be json or csv.", {"format": "json or csv"})
    rows = payments.open_items(current_scope().now)
    if wanted == "json":
        return json_response({"open_items": rows})
    csv_headers: dict[str, str | list[str]] = {"Content-Type": "text/csv; charset=utf-8"}
    return Response(body=payments.open_items_csv(rows), status_code=200, headers=csv_headers)
