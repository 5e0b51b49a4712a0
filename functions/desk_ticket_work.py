"""The desk's work on a ticket: priority, state, time, development link (the JSON staff routes' services).

Each form answers 303 back to the ticket page; a refusal is the JSON routes' 409 naming the field.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from functions.desk_ticket_page import AGENTS, back_to
from shared.api.context import current_scope
from shared.api.desk_pages import form_of
from shared.api.errors import conflict
from shared.api.idempotency import run_idempotently
from shared.api.requests import raw_body
from shared.api.routing import Access, api_route
from shared.api.staff_desk import calling_agent, ticket_or_404

bp = Blueprint(__name__)
_PAGE = {"response_content_type": "text/html"}


@api_route(
    bp, "/desk/tickets/{number}/priority", "POST", access=Access.DESK, staff_roles=AGENTS,
    summary="Change the priority; the due time is recomputed from the receipt and shown",
    request_model="shared.api.desk_ticket_forms:DeskPriorityForm",
    **_PAGE,
)
def change_priority(number: str) -> Response:
    from shared.api.desk_ticket_forms import DeskPriorityForm
    from shared.policy import get_policy
    from shared.services.support import desk

    form = form_of(bp.current_request, DeskPriorityForm)
    try:
        desk.set_priority(ticket_or_404(number), form.priority, get_policy())
    except desk.TicketClosed as exc:
        raise conflict("ticket_closed", "The ticket is closed.", {"priority": "the ticket is closed"}) from exc
    return back_to(number, "priority")


@api_route(
    bp, "/desk/tickets/{number}/state", "POST", access=Access.DESK, staff_roles=AGENTS,
    summary="Move the ticket to a state the process allows",
    request_model="shared.api.desk_ticket_forms:DeskStateForm",
    **_PAGE,
)
def change_state(number: str) -> Response:
    from shared.api.desk_ticket_forms import DeskStateForm
    from shared.policy import get_policy
    from shared.services.support.errors import ProcessError
    from shared.services.support.process import change_state as move
    from shared.storage.db import ConditionFailed

    form = form_of(bp.current_request, DeskStateForm)
    try:
        move(ticket_or_404(number), form.state, calling_agent(), current_scope().now, get_policy())
    except ProcessError as exc:
        raise conflict("state_not_allowed", str(exc), {"state": str(exc)}) from exc
    except ConditionFailed as exc:
        message = "The ticket changed meanwhile; reload and try again."
        raise conflict("state_changed", message, {"state": "stale"}) from exc
    return back_to(number, "state")


@api_route(
    bp, "/desk/tickets/{number}/time", "POST", access=Access.DESK, staff_roles=AGENTS, creates=True,
    summary="Log worked time on the ticket",
    request_model="shared.api.desk_ticket_forms:DeskTimeForm",
    **_PAGE,
)
def log_time(number: str) -> Response:
    from shared.api.desk_ticket_forms import DeskTimeForm
    from shared.services.support import desk

    request = bp.current_request

    def create() -> Response:
        form = form_of(request, DeskTimeForm)
        desk.log_time(ticket_or_404(number), calling_agent(), form.hours, form.description, current_scope().now)
        return back_to(number, "time")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)


@api_route(
    bp, "/desk/tickets/{number}/development", "POST", access=Access.DESK, staff_roles=AGENTS,
    summary="Link an internal development ticket (bug or feature request)",
    request_model="shared.api.desk_ticket_forms:DeskDevelopmentForm",
    **_PAGE,
)
def link_development(number: str) -> Response:
    from shared.api.desk_ticket_forms import DeskDevelopmentForm
    from shared.services.support import desk

    form = form_of(bp.current_request, DeskDevelopmentForm)
    desk.link_development(ticket_or_404(number), form.kind, form.reference)
    return back_to(number, "development")
