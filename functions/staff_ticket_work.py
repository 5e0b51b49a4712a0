"""The staff desk's work on a ticket: states, time, development tickets, enhancements, authorization."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import conflict
from shared.api.routing import Access, api_route
from shared.api.staff_desk import AGENTS, calling_agent, show_staff_ticket, staff_form, ticket_or_404

bp = Blueprint(__name__)


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
    from shared.services.support.errors import ProcessError
    from shared.services.support.process import change_state as move
    from shared.storage.db import ConditionFailed

    form = staff_form(bp.current_request, "StateRequest")
    try:
        move(ticket_or_404(number), form.state, calling_agent(), current_scope().now, get_policy())
    except ProcessError as exc:
        raise conflict("state_not_allowed", str(exc), {"state": str(exc)}) from exc
    except ConditionFailed as exc:
        raise conflict("state_changed", "The ticket changed meanwhile; reload and try again.") from exc
    return show_staff_ticket(number)


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
    from shared.services.support import desk

    form = staff_form(bp.current_request, "TimeRequest")
    desk.log_time(ticket_or_404(number), calling_agent(), form.hours, form.description, current_scope().now)
    return show_staff_ticket(number, 201)


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
    from shared.services.support import desk

    form = staff_form(bp.current_request, "DevelopmentRequest")
    desk.link_development(ticket_or_404(number), form.kind, form.reference)
    return show_staff_ticket(number)


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
    from shared.services.support import desk

    desk.mark_enhancement(ticket_or_404(number))
    return show_staff_ticket(number)


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
    from shared.services.support.authorizations import require_authorization as require
    from shared.services.support.errors import ProcessError
    from shared.storage.db import ConditionFailed

    try:
        require(ticket_or_404(number), current_scope().now, get_policy())
    except ProcessError as exc:
        raise conflict("no_authorizers", str(exc)) from exc
    except ConditionFailed as exc:  # the mails of this very second already exist: a double click, not a new request
        raise conflict("authorization_just_requested", "The authorization request was mailed a moment ago.") from exc
    return show_staff_ticket(number)
