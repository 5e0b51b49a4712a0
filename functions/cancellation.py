"""Cancellation (SPEC §5): by the admin in the app, by staff for letters, faxes and e-mails; the deadline table."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import ApiError, bad_request, conflict, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import decode_body, is_ascii_digits, query_param, raw_body, validate
from shared.api.routing import Access, api_route, json_response
from shared.observability import logger

bp = Blueprint(__name__)

_NOT_NEEDED = (
    "This account is in its free trial: no cancellation is needed. If it is not converted, "
    "it ends by itself at the end of the trial."
)


def _answer(status: str, message: str, record: object = None, http_status: int = 200) -> Response:
    body: dict[str, object] = {"status": status, "message": message}
    if record is not None:
        body.update(
            received_on=record.received_on,  # type: ignore[attr-defined]
            effective_on=record.effective_on,  # type: ignore[attr-defined]
            channel=record.channel,  # type: ignore[attr-defined]
        )
    return json_response(body, status=http_status)


def _cancel(account_id: str, received_on: date | None, channel: str) -> Response:
    """One path for every channel: the app (received now) and staff-recorded letters, faxes, e-mails."""
    from shared.derived import company_calendar
    from shared.policy import get_policy
    from shared.rules.cancellation import cancellation_effective_date
    from shared.rules.clock import local_day
    from shared.storage.accounts import get_account
    from shared.storage.cancellations import record_cancellation
    from shared.storage.lifecycle import StateConflict

    account = tenant_account(account_id) or get_account(account_id)
    if account is None:
        raise not_found("account")
    policy, now = get_policy(), current_scope().now
    today = local_day(now, ZoneInfo(policy.company_time_zone))
    if account.state == "trial":
        return _answer("not_needed", _NOT_NEEDED)
    if account.state != "customer":
        raise conflict("not_a_customer", f"The account is {account.state}; there is no contract to cancel.")
    if account.cancellation is not None:
        return _answer("pending", "A cancellation is already pending.", account.cancellation)
    received = received_on or today
    if received > today:
        raise bad_request("received_on lies in the future.", {"received_on": f"must be {today.isoformat()} or earlier"})
    effective_on = cancellation_effective_date(received, company_calendar(), policy.cancellation.notice_working_days)
    try:
        record = record_cancellation(account, received, effective_on, channel, now, policy)
    except StateConflict:
        fresh = get_account(account_id)
        if fresh is not None and fresh.cancellation is not None:
            return _answer("pending", "A cancellation is already pending.", fresh.cancellation)
        raise
    logger.info("cancellation recorded", extra={"account_id": account_id, "channel": channel})
    return _answer("recorded", f"The contract ends on {effective_on.isoformat()}.", record, http_status=201)


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
    from shared.policy import get_policy
    from shared.storage.cancellations import withdraw_cancellation
    from shared.storage.lifecycle import StateConflict

    account = tenant_account(id)
    if account is None or account.cancellation is None:
        raise not_found("pending cancellation")
    try:
        record = withdraw_cancellation(account, current_scope().now, get_policy())
    except StateConflict as exc:
        raise conflict("cancellation_effective", f"It can no longer be withdrawn: {exc}.") from exc
    return _answer("withdrawn", "The cancellation is withdrawn; the contract goes on.", record)


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
    from shared.derived import company_calendar
    from shared.policy import get_policy
    from shared.rules.cancellation import YearOutOfRange, cancellation_deadlines

    text = query_param(bp.current_request, "year", "")
    if not is_ascii_digits(text) or len(text) != 4:
        raise bad_request("year must be a four-digit year.", {"year": "expected YYYY, e.g. 2026"})
    try:
        table = cancellation_deadlines(int(text), company_calendar(), get_policy().cancellation.notice_working_days)
    except YearOutOfRange as exc:
        raise ApiError(400, "year_out_of_range", str(exc), {"year": str(exc)}) from exc
    return json_response(
        {
            "year": int(text),
            "months": [{"month": d.month, "last_day_of_receipt": d.last_day_of_receipt.isoformat()} for d in table],
        }
    )
