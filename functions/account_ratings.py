"""The satisfaction rating of a solved ticket on its page (issue 16 item 3): good or bad, a comment, once."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer
from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.errors import conflict, not_found
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp, "/account/tickets/{number}/rating", "POST", access=Access.CUSTOMER, response_content_type="text/html",
    summary="Rate a solved ticket good or bad (once)", request_model="shared.api.account_forms:RatingForm",
)
def rate_ticket(number: str) -> Response:
    from shared.api.account_forms import RatingForm
    from shared.services.account_pages.tickets import visible_ticket
    from shared.services.support.rating import NotRateable, rate

    form = form_of(bp.current_request, RatingForm)
    ticket = visible_ticket(current_viewer(), number)
    if ticket is None:
        raise not_found("ticket")
    try:
        rate(ticket, form.rating, form.comment, current_scope().now)
    except NotRateable as exc:
        raise conflict("not_rateable", "This request is not solved, or was rated already.", {"rating": "once"}) from exc
    return see_other(f"/account/tickets/{number}?done=rated")
