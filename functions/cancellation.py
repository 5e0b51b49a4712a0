"""Cancellation (SPEC §5): by the admin in the app, by staff for letters, faxes and e-mails; the deadline table."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import ApiError, bad_request, conflict, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import decode_body, is_ascii_digits, query_param, raw_body, validate
from shared.api.routing import Access, api_route, json_response
from shared.observability import logger
from shared.services.accounts import errors

bp = Blueprint(__name__)

_NOT_NEEDED = (
    "This account is in its free trial: no cancellation is needed. If it is not converted, "
    "it ends by itself at the end of the trial."
)
_PENDING = "A cancellation is already pending."


def _answer(status: str, message: str, record: Any = None, http_status: int = 200) -> Response:
    body: dict[str, object] = {"status": status, "message": message}
    if record is not None:
        body.update(received_on=record.received_on, effective_on=record.effective_on, channel=record.channel)
    return json_response(body, status=http_status)


def _cancel(account_id: str, received_on: date | None, channel: str) -> Response:
    """One path for every channel: the app (received now) and staff-recorded letters, faxes, e-mails."""
    from shared.services.accounts import cancellation

    try:
        outcome = cancellation.cancel(account_id, received_on, channel, current_scope().now, tenant_account(account_id))
    except errors.AccountNotFound as exc:
        raise not_found("account") from exc
    except errors.NotACustomer as exc:
        raise conflict("not_a_customer", f"The account is {exc.state}; there is no contract to cancel.") from exc
    except errors.ReceivedInFuture as exc:
        raise bad_request("received_on lies in the future.", {"received_on": str(exc)}) from exc
    except errors.ReceivedBeforeAccount as exc:
        raise bad_request("received_on lies before the account existed.", {"received_on": str(exc)}) from exc
    record = outcome.cancellation
    if outcome.status != "recorded" or record is None:
        return _answer(outcome.status, _NOT_NEEDED if outcome.status == "not_needed" else _PENDING, record)
    logger.info("cancellation recorded", extra={"account_id": account_id, "channel": channel})
    return _answer("recorded", f"The contract ends on {record.effective_on}.", record, http_status=201)


@api_route(
    bp,
    "/accounts/{id}/cancellation",
    "POST",
    access=Access.TENANT,
    creates=True,
    status=201,
    summary="Cancel the contract (received now); a trial gets 'not needed', a pending one is returned",
    response_model="shared.contracts:CancellationAnswer",
)
def cancel(id: str) -> Response:
    request = bp.current_request
    return run_idempotently(request.headers, raw_body(request), lambda: _cancel(id, None, "app"), bp.lambda_context)


@api_route(
    bp,
    "/accounts/{id}/cancellation",
    "GET",
    access=Access.TENANT,
    summary="The pending cancellation, if any",
    response_model="shared.contracts:CancellationAnswer",
)
def show_cancellation(id: str) -> Response:
    account = tenant_account(id)
    if account is None or account.cancellation is None:
        raise not_found("pending cancellation")
    return _answer("pending", f"The contract ends on {account.cancellation.effective_on}.", account.cancellation)


@api_route(
    bp,
    "/accounts/{id}/cancellation",
    "DELETE",
    access=Access.TENANT,
    summary="Withdraw the pending cancellation before it takes effect",
    response_model="shared.contracts:CancellationAnswer",
)
def withdraw(id: str) -> Response:
    from shared.services.accounts import cancellation

    try:
        outcome = cancellation.withdraw(tenant_account(id), current_scope().now)
    except errors.NoPendingCancellation as exc:
        raise not_found("pending cancellation") from exc
    except errors.CancellationNotWithdrawable as exc:
        raise conflict("cancellation_effective", f"It can no longer be withdrawn: {exc}.") from exc
    return _answer("withdrawn", "The cancellation is withdrawn; the contract goes on.", outcome.cancellation)


@api_route(
    bp,
    "/staff/accounts/{id}/cancellation",
    "POST",
    access=Access.STAFF,
    staff_roles=("agent", "billing"),
    creates=True,
    status=201,
    summary="Record a cancellation that came by letter, fax or e-mail, with its day of receipt",
    request_model="shared.contracts:StaffCancellationRequest",
    response_model="shared.contracts:CancellationAnswer",
)
def record_written_cancellation(id: str) -> Response:
    from shared.contracts import StaffCancellationRequest

    request = bp.current_request
    body = raw_body(request)

    def create() -> Response:
        form = validate(StaffCancellationRequest, decode_body(body, request.headers))
        return _cancel(id, form.received_on, form.channel)

    return run_idempotently(request.headers, body, create, bp.lambda_context)


@api_route(
    bp,
    "/cancellation-deadlines",
    "GET",
    access=Access.PUBLIC,
    summary="For each month of a year, the last day of receipt that still ends the contract with that month",
    response_model="shared.contracts:DeadlineTable",
    query={"year": "YYYY"},
)
def deadlines() -> Response:
    from shared.services.accounts.cancellation import YearOutOfRange, deadline_table

    text = query_param(bp.current_request, "year", "")
    if not is_ascii_digits(text) or len(text) != 4:
        raise bad_request("year must be a four-digit year.", {"year": "expected YYYY, e.g. 2026"})
    try:
        table = deadline_table(int(text))
    except YearOutOfRange as exc:
        raise ApiError(400, "year_out_of_range", str(exc), {"year": str(exc)}) from exc
    months = [{"month": d.month, "last_day_of_receipt": d.last_day_of_receipt.isoformat()} for d in table]
    return json_response({"year": int(text), "months": months})
