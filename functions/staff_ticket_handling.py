"""The staff desk's handling of a ticket: who works on it, how urgent it is, the answers and the notes."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import bad_request, conflict
from shared.api.routing import Access, api_route
from shared.api.staff_desk import AGENTS, calling_agent, show_staff_ticket, staff_form, ticket_or_404

bp = Blueprint(__name__)


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
    from shared.services.support import desk
    from shared.storage.support import staff_member

    form = staff_form(bp.current_request, "AssignRequest")
    agent = staff_member(form.staff_id) if form.staff_id else calling_agent()
    if agent is None:
        raise bad_request("No such staff member.", {"staff_id": "unknown"})
    try:
        desk.assign(ticket_or_404(number), agent)
    except desk.TicketClosed as exc:
        raise conflict("ticket_closed", "A closed ticket cannot be assigned.") from exc
    return show_staff_ticket(number)


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
    from shared.services.support import desk

    form = staff_form(bp.current_request, "PriorityRequest")
    try:
        desk.set_priority(ticket_or_404(number), form.priority, get_policy())
    except desk.TicketClosed as exc:
        raise conflict("ticket_closed", "The ticket is closed.") from exc
    return show_staff_ticket(number)


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
    from shared.services.support import desk

    form = staff_form(bp.current_request, "TextRequest")
    ticket = ticket_or_404(number)
    try:
        desk.reply(ticket, calling_agent(), form.text, current_scope().now, get_policy())
    except desk.TicketClosed as exc:
        raise conflict("ticket_closed", "The ticket is closed.") from exc
    return show_staff_ticket(number, 201)

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
    from shared.services.support import desk

    form = staff_form(bp.current_request, "TextRequest")
    desk.note(ticket_or_404(number), calling_agent(), form.text, current_scope().now)
    return show_staff_ticket(number, 201)
