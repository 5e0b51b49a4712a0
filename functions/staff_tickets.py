"""The staff side of the support desk: queue, assignment, replies, notes, states, time, development tickets."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, bad_request, conflict, not_found
from shared.api.requests import decode_body, query_param, raw_body, validate
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)
AGENTS = ("agent",)


def _agent() -> Any:
    from shared.storage.support import staff_member

    principal = current_scope().principal
    member = staff_member(str(principal.staff_id)) if principal else None
    if member is None:
        raise ApiError(403, "staff_only", "This endpoint is for Cocoon staff.")
    return member


def _ticket(number: str) -> Any:
    from shared.storage.tickets import find_ticket

    ticket = find_ticket(number)
    if ticket is None:
        raise not_found("ticket")
    return ticket


def _form(model_name: str) -> Any:
    import shared.contracts as contracts

    request = bp.current_request
    return validate(getattr(contracts, model_name), decode_body(raw_body(request), request.headers))


def staff_view(ticket: Any, messages: list[Any] | None = None) -> dict[str, Any]:
    from shared.storage.views import ticket_view

    view = ticket_view(ticket, messages or [], include_notes=True)
    view.update(
        account_id=ticket.account_id,
        assignee=ticket.assignee_name,
        escalated=ticket.escalated_at is not None,
        enhancement=bool(ticket.enhancement),
        development_ticket=ticket.development_ticket,
        needs_authorization=bool(ticket.needs_authorization),
        authorized=ticket.authorized_at is not None,
    )
    return view


def _show(number: str, status: int = 200) -> Response:
    from shared.storage.tickets import ticket_messages

    ticket = _ticket(number)
    return json_response(staff_view(ticket, ticket_messages(ticket)), status=status)


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

    request = bp.current_request
    return run_idempotently(request.headers, raw_body(request), _record_phone_request, bp.lambda_context)


def _record_phone_request() -> Response:
    from shared.policy import get_policy
    from shared.storage.tickets import find_requester, open_ticket, request_from_form

    form = _form("StaffTicketRequest")
    requester = find_requester(str(form.email))
    if requester is None:
        raise ApiError(
            403,
            "not_eligible",
            "This e-mail is not a contact of a live business account.",
            {"email": "not a customer contact"},
        )
    ticket = open_ticket(requester, request_from_form(form, "phone"), current_scope().now, get_policy())
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
    return _show(number)


@api_route(
    bp,
    "/staff/tickets/{number}/assign",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Assign the ticket (to yourself, or to staff_id)",
    request_model="shared.contracts:AssignRequest",
    response_model="shared.contracts:StaffTicketView",
)
def assign(number: str) -> Response:
    from shared.storage.db import ConditionFailed
    from shared.storage.support import assign as assign_ticket
    from shared.storage.support import staff_member

    form = _form("AssignRequest")
    agent = staff_member(form.staff_id) if form.staff_id else _agent()
    if agent is None:
        raise bad_request("No such staff member.", {"staff_id": "unknown"})
    ticket = _ticket(number)
    try:
        assign_ticket(ticket, agent, current_scope().now)
    except ConditionFailed as exc:
        raise conflict("ticket_closed", "A closed ticket cannot be assigned.") from exc
    return _show(number)


@api_route(
    bp,
    "/staff/tickets/{number}/priority",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Change the priority; the due time is recomputed from the receipt",
    request_model="shared.contracts:PriorityRequest",
    response_model="shared.contracts:StaffTicketView",
)
def change_priority(number: str) -> Response:
    from shared.policy import get_policy
    from shared.storage.support import set_priority

    form = _form("PriorityRequest")
    set_priority(_ticket(number), form.priority, current_scope().now, get_policy())
    return _show(number)


@api_route(
    bp,
    "/staff/tickets/{number}/replies",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    status=201,
    summary="A public answer (solution or workaround), mailed to the customer with the tag",
    request_model="shared.contracts:TextRequest",
    response_model="shared.contracts:StaffTicketView",
)
def staff_reply(number: str) -> Response:
    from shared.policy import get_policy
    from shared.storage.support import reply

    form = _form("TextRequest")
    ticket = _ticket(number)
    if ticket.state == "closed":
        raise conflict("ticket_closed", "The ticket is closed.")
    reply(ticket, _agent(), form.text, current_scope().now, get_policy())
    return _show(number, 201)


@api_route(
    bp,
    "/staff/tickets/{number}/notes",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    status=201,
    summary="An internal note: never mailed, never shown to the customer",
    request_model="shared.contracts:TextRequest",
    response_model="shared.contracts:StaffTicketView",
)
def internal_note(number: str) -> Response:
    from shared.storage.support import note

    form = _form("TextRequest")
    note(_ticket(number), _agent(), form.text, current_scope().now)
    return _show(number, 201)


@api_route(
    bp,
    "/staff/tickets/{number}/state",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Move the ticket through new → assigned → in progress → waiting → solved → closed",
    request_model="shared.contracts:StateRequest",
    response_model="shared.contracts:StaffTicketView",
)
def change_state(number: str) -> Response:
    from shared.policy import get_policy
    from shared.services.support.process import change_state as move
    from shared.storage.db import ConditionFailed
    from shared.storage.support import ProcessError

    form = _form("StateRequest")
    try:
        move(_ticket(number), form.state, _agent(), current_scope().now, get_policy())
    except ProcessError as exc:
        raise conflict("state_not_allowed", str(exc), {"state": str(exc)}) from exc
    except ConditionFailed as exc:
        raise conflict("state_changed", "The ticket changed meanwhile; reload and try again.") from exc
    return _show(number)


@api_route(
    bp,
    "/staff/tickets/{number}/time",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    status=201,
    summary="Log worked time on the ticket",
    request_model="shared.contracts:TimeRequest",
    response_model="shared.contracts:StaffTicketView",
)
def log_time(number: str) -> Response:
    from shared.storage.support import log_time as log

    form = _form("TimeRequest")
    log(_ticket(number), _agent(), form.hours, form.description, current_scope().now)
    return _show(number, 201)


@api_route(
    bp,
    "/staff/tickets/{number}/development",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Link an internal development ticket (bug or feature request)",
    request_model="shared.contracts:DevelopmentRequest",
    response_model="shared.contracts:StaffTicketView",
)
def link_development(number: str) -> Response:
    from shared.storage.support import link_development as link

    form = _form("DevelopmentRequest")
    link(_ticket(number), form.kind, form.reference, current_scope().now)
    return _show(number)


@api_route(
    bp,
    "/staff/tickets/{number}/enhancement",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Record the request as an enhancement request, not as support",
    response_model="shared.contracts:StaffTicketView",
)
def mark_enhancement(number: str) -> Response:
    from shared.storage.support import mark_enhancement as mark

    mark(_ticket(number))
    return _show(number)


@api_route(
    bp,
    "/staff/tickets/{number}/authorization",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Mark the ticket as needing the customer's authorization; the named people get a signed link",
    response_model="shared.contracts:StaffTicketView",
)
def require_authorization(number: str) -> Response:
    from shared.policy import get_policy
    from shared.storage.authorizations import require_authorization as require
    from shared.storage.db import ConditionFailed
    from shared.storage.support import ProcessError

    try:
        require(_ticket(number), current_scope().now, get_policy())
    except ProcessError as exc:
        raise conflict("no_authorizers", str(exc)) from exc
    except ConditionFailed as exc:  # the mails of this very second already exist: a double click, not a new request
        raise conflict("authorization_just_requested", "The authorization request was mailed a moment ago.") from exc
    return _show(number)
