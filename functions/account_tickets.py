"""My tickets (issue 16 item 3): list, thread without internal notes, reply, reopen within the days.

A contact sees their own tickets, the admin the company's; any other ticket number is "not
found" (never "forbidden"), so numbers cannot be probed. Replying calls the same service as
mail and the API, so a solved ticket within its days reopens here exactly as there.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer, viewer_page
from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.errors import conflict, not_found
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
_PAGE = {"response_content_type": "text/html"}


@api_route(bp, "/account/tickets", "GET", access=Access.CUSTOMER, summary="My tickets", **_PAGE)
def ticket_list() -> Response:
    from shared.services.account_pages.tickets import visible_tickets

    return viewer_page(bp.current_request, "tickets", tickets=visible_tickets(current_viewer()))


@api_route(bp, "/account/tickets/{number}", "GET", access=Access.CUSTOMER, summary="One ticket's thread", **_PAGE)
def ticket_page(number: str) -> Response:
    from shared.policy import get_policy
    from shared.rules.support.reopening import reopen_deadline
    from shared.services.account_pages.tickets import can_reopen, thread, visible_ticket
    from shared.services.support.rating import may_rate_ticket
    from shared.services.support.tickets import takes_customer_message

    ticket = visible_ticket(current_viewer(), number)
    if ticket is None:
        raise not_found("ticket")
    now, policy = current_scope().now, get_policy()
    deadline = reopen_deadline(ticket.solved_at, policy.support.closed_ticket_closes_after_days)
    return viewer_page(
        bp.current_request,
        "ticket",
        ticket=thread(ticket),
        can_write=takes_customer_message(ticket, now, policy),
        can_reopen=can_reopen(ticket, now, policy),
        reopen_until=deadline.date() if deadline else None,
        may_rate=may_rate_ticket(ticket),
        rating=ticket.rating,
    )


@api_route(
    bp,
    "/account/tickets/{number}/messages",
    "POST",
    access=Access.CUSTOMER,
    creates=True,
    summary="Reply to my ticket; a solved one reopens within its days",
    request_model="shared.api.account_forms:TicketReplyForm",
    **_PAGE,
)
def reply(number: str) -> Response:
    from shared.api.account_forms import TicketReplyForm
    from shared.api.idempotency import run_idempotently
    from shared.api.requests import raw_body

    request = bp.current_request

    def create() -> Response:
        from shared.policy import get_policy
        from shared.services.account_pages.tickets import TicketNotTaken, visible_ticket
        from shared.services.account_pages.tickets import reply as reply_to

        form = form_of(request, TicketReplyForm)
        viewer = current_viewer()
        ticket = visible_ticket(viewer, number)
        if ticket is None:
            raise not_found("ticket")
        try:
            reply_to(viewer, ticket, form.text, current_scope().now, get_policy())
        except TicketNotTaken as exc:
            raise conflict("ticket_closed", "This request is closed; please open a new one.") from exc
        return see_other(f"/account/tickets/{number}")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)
