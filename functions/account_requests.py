"""A new support request from "my tickets" (issue 16 item 3): the fields the support policy asks for.

The app's intake service opens it (the same path as POST /tickets with the account's token), with
the signed-in contact as the requester; then the browser goes to the new ticket's page.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer, viewer_page
from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.errors import conflict
from shared.api.idempotency import run_idempotently
from shared.api.requests import raw_body
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
_PAGE = {"response_content_type": "text/html"}


@api_route(bp, "/account/tickets/new", "GET", access=Access.CUSTOMER, summary="The new request's form", **_PAGE)
def new_request_page() -> Response:
    return viewer_page(bp.current_request, "new_ticket")


@api_route(
    bp, "/account/tickets", "POST", access=Access.CUSTOMER, creates=True,
    summary="Open a new request as the signed-in contact",
    request_model="shared.api.account_forms:NewRequestForm", **_PAGE,
)
def open_request() -> Response:
    request = bp.current_request

    def create() -> Response:
        from shared.api.account_forms import NewRequestForm
        from shared.api.support_refusals import too_large
        from shared.policy import get_policy
        from shared.services.account_pages.tickets import TicketNotTaken, open_my_request
        from shared.storage.item_size import ItemTooLarge

        form = form_of(request, NewRequestForm)
        try:
            ticket = open_my_request(current_viewer(), form, current_scope().now, get_policy())
        except TicketNotTaken as exc:
            raise conflict("not_a_contact", "You are no longer a user of this account.") from exc
        except ItemTooLarge as exc:
            raise too_large(exc) from exc
        return see_other(f"/account/tickets/{ticket.number}")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)
