"""The staff side of the support desk: the queue, requests taken by phone, a ticket as staff see it."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, bad_request
from shared.api.requests import query_param
from shared.api.routing import Access, api_route, json_response
from shared.api.staff_desk import AGENTS, show_staff_ticket, staff_form, staff_view

bp = Blueprint(__name__)


@api_route(
    bp,
    "/staff/tickets",
    "GET",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="The ticket queue: filter by state, priority, overdue; sorted by due time",
    response_model="shared.contracts:QueueView",
    query={
        "state": "one state (default: all open and solved)",
        "priority": "urgent|high|normal|low",
        "overdue": "true: only tickets past their first-response due time",
    },
)
def ticket_queue() -> Response:
    from shared.rules.support.states import PRIORITIES, QUEUE_STATES
    from shared.storage.support import queue

    state = query_param(bp.current_request, "state") or None
    priority = query_param(bp.current_request, "priority") or None
    if state is not None and state not in QUEUE_STATES:
        raise bad_request("Unknown queue state.", {"state": f"one of {', '.join(QUEUE_STATES)}"})
    if priority is not None and priority not in PRIORITIES:
        raise bad_request("Unknown priority.", {"priority": "urgent, high, normal or low"})
    overdue = query_param(bp.current_request, "overdue", "false").lower() in ("1", "true", "yes")
    tickets = queue((state,) if state else QUEUE_STATES, priority, overdue, current_scope().now)
    return json_response({"tickets": [staff_view(t) for t in tickets]})


@api_route(
    bp,
    "/staff/tickets",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    creates=True,
    status=201,
    summary="Record a request that came in by phone, on the customer's behalf (the same path as the form)",
    request_model="shared.contracts:StaffTicketRequest",
    response_model="shared.contracts:StaffTicketView",
)
def record_phone_request() -> Response:
    from shared.api.idempotency import run_idempotently
    from shared.api.requests import raw_body

    request = bp.current_request
    return run_idempotently(request.headers, raw_body(request), _record_phone_request, bp.lambda_context)


def _record_phone_request() -> Response:
    from shared.policy import get_policy
    from shared.services.support.requests import NotEligible, record_phone_request

    form = staff_form(bp.current_request, "StaffTicketRequest")
    try:
        ticket = record_phone_request(form, current_scope().now, get_policy())
    except NotEligible as exc:
        raise ApiError(
            403,
            "not_eligible",
            "This e-mail is not a contact of a live business account.",
            {"email": "not a customer contact"},
        ) from exc
    return json_response(staff_view(ticket), status=201)


@api_route(
    bp,
    "/staff/tickets/{number}",
    "GET",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="A ticket with all its messages, internal notes included",
    response_model="shared.contracts:StaffTicketView",
)
def show_ticket(number: str) -> Response:
    return show_staff_ticket(number)
