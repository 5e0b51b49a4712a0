"""The desk's ticket page (issue 15 item 2): the whole thread, and the reply, note and assignment forms.

Each form posts with the session's CSRF token to the SAME service as the JSON staff route and
answers 303 back to the page (a reload never posts twice).
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import desk_page, form_of, see_other
from shared.api.errors import bad_request, conflict, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import query_param, raw_body
from shared.api.routing import Access, api_route
from shared.api.staff_desk import calling_agent, ticket_or_404
from shared.rules.ui_text import N_

bp = Blueprint(__name__)
AGENTS = ("agent",)  # admins pass every role check
_PAGE = {"response_content_type": "text/html"}
NOTICES = {
    "replied": N_("The reply is on its way to the customer."),
    "noted": N_("The internal note is kept (never mailed)."),
    "assigned": N_("The ticket is assigned."),
    "priority": N_("The priority is changed; the due time is recomputed."),
    "state": N_("The state is changed."),
    "time": N_("The time is logged."),
    "development": N_("The development ticket is linked."),
    "merged": N_("The other ticket is merged into this one: its messages are in the thread, it is closed."),
}


def back_to(number: str, done: str) -> Response:
    return see_other(f"/desk/tickets/{number}?done={done}")


@api_route(
    bp, "/desk/tickets/{number}", "GET", access=Access.DESK, staff_roles=AGENTS,
    summary="A ticket with its whole thread (customer, agent replies, internal notes) and what may be done",
    query={"done": "what the last form did (shows its notice)", "canned": "a canned reply to fill the reply form with"},
    **_PAGE,
)
def ticket_page(number: str) -> Response:
    from shared.services.support.ticket_page import ticket_page as page

    live = current_scope().session
    shown = page(number, current_scope().now, live.subject.name, query_param(bp.current_request, "canned"))
    if shown is None:
        raise not_found("ticket")
    notice = NOTICES.get(query_param(bp.current_request, "done"), "")
    return desk_page("ticket", member=live.subject, csrf_token=live.csrf_token, page=shown, notice=notice)


@api_route(
    bp, "/desk/tickets/{number}/replies", "POST", access=Access.DESK, staff_roles=AGENTS, creates=True,
    summary="A public answer, mailed to the customer with the tag (the JSON route's service)",
    request_model="shared.api.desk_ticket_forms:DeskReplyForm",
    **_PAGE,
)
def reply(number: str) -> Response:
    from shared.api.desk_ticket_forms import DeskReplyForm
    from shared.policy import get_policy
    from shared.services.support import desk

    request = bp.current_request

    def create() -> Response:
        form = form_of(request, DeskReplyForm)
        try:
            desk.reply(ticket_or_404(number), calling_agent(), form.text, current_scope().now, get_policy())
        except desk.TicketClosed as exc:
            raise conflict("ticket_closed", "The ticket is closed.") from exc
        return back_to(number, "replied")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)


@api_route(
    bp, "/desk/tickets/{number}/notes", "POST", access=Access.DESK, staff_roles=AGENTS, creates=True,
    summary="An internal note: never mailed, never shown to the customer",
    request_model="shared.api.desk_ticket_forms:DeskTextForm",
    **_PAGE,
)
def note(number: str) -> Response:
    from shared.api.desk_ticket_forms import DeskTextForm
    from shared.services.support import desk

    request = bp.current_request

    def create() -> Response:
        form = form_of(request, DeskTextForm)
        desk.note(ticket_or_404(number), calling_agent(), form.text, current_scope().now)
        return back_to(number, "noted")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)


@api_route(
    bp, "/desk/tickets/{number}/assign", "POST", access=Access.DESK, staff_roles=AGENTS,
    summary="Take the ticket, or assign it to staff_id",
    request_model="shared.api.desk_ticket_forms:DeskAssignForm",
    **_PAGE,
)
def assign(number: str) -> Response:
    from shared.api.desk_ticket_forms import DeskAssignForm
    from shared.services.support import desk
    from shared.services.support.ticket_page import assignable_agent

    form = form_of(bp.current_request, DeskAssignForm)
    agent = assignable_agent(form.staff_id) if form.staff_id else calling_agent()
    if agent is None:
        raise bad_request("No such agent.", {"staff_id": "not an active agent"})
    try:
        desk.assign(ticket_or_404(number), agent)
    except desk.TicketClosed as exc:
        raise conflict("ticket_closed", "A closed ticket cannot be assigned.") from exc
    return back_to(number, "assigned")
