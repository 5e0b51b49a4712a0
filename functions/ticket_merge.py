"""Merging two tickets of one account (issue 15 item 2): the JSON staff route and the desk's form, one service."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.errors import ApiError
from shared.api.routing import Access, api_route
from shared.api.staff_desk import AGENTS, calling_agent, show_staff_ticket, ticket_or_404

bp = Blueprint(__name__)


def _merge(number: str, into: str) -> str:
    from shared.services.support.merge import MergeRefused, merge_tickets

    ticket_or_404(number)
    try:
        target, _copied = merge_tickets(number, into, calling_agent(), current_scope().now)
    except MergeRefused as exc:
        refusal = exc.refusal
        raise ApiError(exc.status, refusal.code, refusal.message, {refusal.field: refusal.code}) from exc
    return str(target.number)


@api_route(
    bp, "/staff/tickets/{number}/merge", "POST", access=Access.STAFF, staff_roles=AGENTS,
    summary="Merge the ticket into another of the same account: its messages move there, it closes pointing to it",
    request_model="shared.api.desk_ticket_forms:TicketMergeRequest",
    response_model="shared.contracts:StaffTicketView",
)
def merge_json(number: str) -> Response:
    from shared.api.desk_ticket_forms import TicketMergeRequest

    form = form_of(bp.current_request, TicketMergeRequest)
    return show_staff_ticket(_merge(number, form.into))


@api_route(
    bp, "/desk/tickets/{number}/merge", "POST", access=Access.DESK, staff_roles=AGENTS,
    summary="Merge the ticket into another of the same account (the JSON route's service)",
    request_model="shared.api.desk_ticket_forms:DeskMergeForm",
    response_content_type="text/html",
)
def merge_desk(number: str) -> Response:
    from shared.api.desk_ticket_forms import DeskMergeForm

    form = form_of(bp.current_request, DeskMergeForm)
    return see_other(f"/desk/tickets/{_merge(number, form.into)}?done=merged")
