"""Support requests from the web form and the app (SPEC §6): one intake path with e-mail."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, conflict, forbidden, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response
from shared.api.support_refusals import NOT_ELIGIBLE, too_large, too_many
from shared.observability import logger, metrics

bp = Blueprint(__name__)


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


def _open(fields: dict[str, object], source_ip: str | None) -> Response:
    from shared.contracts import TicketRequest
    from shared.policy import get_policy
    from shared.services.support import requests as support_requests
    from shared.storage.item_size import ItemTooLarge
    from shared.storage.rate_limits import RateLimited

    form = validate(TicketRequest, fields)
    scope = current_scope()
    try:
        ticket, requester, channel = support_requests.open_request(
            form, scope.account, source_ip, scope.now, get_policy()
        )
    except support_requests.NotAContact as exc:
        raise ApiError(
            400, "not_a_contact", "This e-mail is not a user of the account.", {"email": "not a user of this account"}
        ) from exc
    except support_requests.EmailRequired as exc:
        raise ApiError(400, "invalid_fields", "Tell us your e-mail address.", {"email": "required"}) from exc
    except RateLimited as exc:
        metrics.add_metric(name="SupportRequestRateLimited", unit="Count", value=1)
        raise too_many(exc) from exc
    except support_requests.NotEligible as exc:
        metrics.add_metric(name="SupportRequestRefused", unit="Count", value=1)
        raise forbidden("not_eligible", NOT_ELIGIBLE) from exc
    except ItemTooLarge as exc:
        raise too_large(exc) from exc
    logger.info(
        "ticket opened", extra={"ticket": ticket.number, "channel": channel, "account_id": requester.account.account_id}
    )
    return json_response(support_requests.ticket_json(ticket, with_messages=False), status=201)


def _own_ticket(number: str) -> Any:
    from shared.services.support.requests import own_ticket

    principal = current_scope().principal
    ticket = own_ticket(number, principal.account_id if principal is not None else None)
    if ticket is None:
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
    from shared.services.support.requests import ticket_json

    return json_response(ticket_json(_own_ticket(number)))


@api_route(
    bp,
    "/tickets/{number}/messages",
    "POST",
    access=Access.TENANT,
    creates=True,
    status=201,
    summary="Add to an open ticket; a solved one reopens within its days, a closed one does not",
    request_model="shared.contracts:TicketMessageRequest",
    response_model="shared.contracts:TicketView",
)
def add_message(number: str) -> Response:
    request = bp.current_request
    body = raw_body(request)

    def create() -> Response:
        from shared.contracts import TicketMessageRequest
        from shared.services.support.requests import TicketClosed, add_app_message, ticket_json
        from shared.storage.item_size import ItemTooLarge

        form = validate(TicketMessageRequest, decode_body(body, request.headers))
        ticket = _own_ticket(number)
        scope = current_scope()
        try:
            add_app_message(ticket, scope.account, form.text, scope.now)
        except TicketClosed as exc:
            if exc.args:
                raise conflict("ticket_closed", "This request was closed meanwhile; please open a new one.") from exc
            raise conflict("ticket_closed", "This request is closed; please open a new one for a new problem.") from exc
        except ItemTooLarge as exc:
            raise too_large(exc) from exc
        return json_response(ticket_json(ticket), status=201)

    return run_idempotently(request.headers, body, create, bp.lambda_context)
