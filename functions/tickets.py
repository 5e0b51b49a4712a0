"""Support requests from the web form and the app (SPEC §6): one intake path with e-mail."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, conflict, forbidden, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response
from shared.observability import logger, metrics

bp = Blueprint(__name__)

NOT_ELIGIBLE = (
    "Support is for contacts of our business customers with a live account. We could not find this "
    "e-mail address among them, so the request was not stored. Ask your account's admin to add you as a user."
)


@api_route(
    bp,
    "/tickets",
    "POST",
    access=Access.TENANT_OR_PUBLIC,
    creates=True,
    status=201,
    summary="Open a support request (web form with e-mail, or the app with the account's token)",
    request_model="shared.contracts:TicketRequest",
    response_model="shared.contracts:TicketView",
)
def open_request() -> Response:
    request = bp.current_request
    body = raw_body(request)
    source_ip = ((request.context or {}).get("identity") or {}).get("sourceIp")
    return run_idempotently(
        request.headers, body, lambda: _open(decode_body(body, request.headers), source_ip), bp.lambda_context
    )


def _too_many(exc: Any) -> ApiError:
    minutes = max(1, exc.retry_after // 60)
    reason = {
        "email": f"too many requests for this address this hour; try again in {minutes} minutes",
        "client_ip": f"too many requests from your network this hour; try again in {minutes} minutes",
    }[exc.field]
    return ApiError(
        429,
        "too_many_requests",
        "Too many support requests in a short time; please wait before sending another.",
        {exc.field: reason},
        headers={"Retry-After": str(exc.retry_after)},
    )


def _too_large(exc: Any) -> ApiError:
    return ApiError(
        400,
        "too_large",
        "The request is too large to store; please shorten it or send long logs as attachments by mail.",
        {exc.field: "too long"},
    )


def _open(fields: dict[str, object], source_ip: str | None) -> Response:
    from shared.contracts import TicketRequest
    from shared.policy import get_policy
    from shared.storage.item_size import ItemTooLarge
    from shared.storage.rate_limits import RateLimited, take_web_form_slot
    from shared.storage.tickets import (
        Requester,
        admin_user,
        contact_of,
        find_requester,
        open_ticket,
        request_from_form,
    )
    from shared.storage.views import ticket_view

    form = validate(TicketRequest, fields)
    scope = current_scope()
    if scope.account is not None:  # the app's Support button: the token names the account
        account = scope.account
        user = contact_of(account, str(form.email)) if form.email else admin_user(account)
        if user is None:
            raise ApiError(
                400,
                "not_a_contact",
                "This e-mail is not a user of the account.",
                {"email": "not a user of this account"},
            )
        requester, channel = Requester(account, user), "app"
    else:
        if form.email is None:
            raise ApiError(400, "invalid_fields", "Tell us your e-mail address.", {"email": "required"})
        # Counted before the address is looked up (strangers count too): only hashes are kept, for an hour.
        try:
            take_web_form_slot(str(form.email), source_ip, scope.now, get_policy())
        except RateLimited as exc:
            metrics.add_metric(name="SupportRequestRateLimited", unit="Count", value=1)
            raise _too_many(exc) from exc
        found = find_requester(str(form.email))
        if found is None:
            metrics.add_metric(name="SupportRequestRefused", unit="Count", value=1)
            raise forbidden("not_eligible", NOT_ELIGIBLE)
        requester, channel = found, "form"
    try:
        ticket = open_ticket(requester, request_from_form(form, channel), scope.now, get_policy())
    except ItemTooLarge as exc:
        raise _too_large(exc) from exc
    logger.info(
        "ticket opened", extra={"ticket": ticket.number, "channel": channel, "account_id": requester.account.account_id}
    )
    return json_response(ticket_view(ticket, []), status=201)


def _own_ticket(number: str) -> object:
    from shared.storage.tickets import find_ticket

    ticket = find_ticket(number)
    principal = current_scope().principal
    if ticket is None or principal is None or ticket.account_id != principal.account_id:
        raise not_found("ticket")  # another account's ticket is "not found", never "forbidden"
    return ticket


@api_route(
    bp,
    "/tickets/{number}",
    "GET",
    access=Access.TENANT,
    summary="A ticket of the account with its messages",
    response_model="shared.contracts:TicketView",
)
def show_ticket(number: str) -> Response:
    from shared.storage.tickets import ticket_messages
    from shared.storage.views import ticket_view

    ticket = _own_ticket(number)
    return json_response(ticket_view(ticket, ticket_messages(ticket)))  # type: ignore[arg-type]


@api_route(
    bp,
    "/tickets/{number}/messages",
    "POST",
    access=Access.TENANT,
    creates=True,
    status=201,
    summary="Add to an open ticket (a closed ticket is not reopened)",
    request_model="shared.contracts:TicketMessageRequest",
    response_model="shared.contracts:TicketView",
)
def add_message(number: str) -> Response:
    request = bp.current_request
    body = raw_body(request)

    def create() -> Response:
        from shared.contracts import TicketMessageRequest
        from shared.rules.support.states import OPEN_STATES
        from shared.storage.db import ConditionFailed
        from shared.storage.item_size import ItemTooLarge
        from shared.storage.tickets import add_customer_message, admin_user, ticket_messages
        from shared.storage.views import ticket_view

        form = validate(TicketMessageRequest, decode_body(body, request.headers))
        ticket = _own_ticket(number)
        if ticket.state not in OPEN_STATES:  # type: ignore[attr-defined]
            raise conflict("ticket_closed", "This request is closed; please open a new one for a new problem.")
        scope = current_scope()
        try:
            add_customer_message(ticket, admin_user(scope.account), form.text, "app", scope.now)  # type: ignore[arg-type]
        except ConditionFailed as exc:
            raise conflict("ticket_closed", "This request was closed meanwhile; please open a new one.") from exc
        except ItemTooLarge as exc:
            raise _too_large(exc) from exc
        return json_response(ticket_view(ticket, ticket_messages(ticket)), status=201)  # type: ignore[arg-type]

    return run_idempotently(request.headers, body, create, bp.lambda_context)
