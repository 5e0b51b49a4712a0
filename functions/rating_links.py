"""The solved mail's one-click rating (issue 16): GET shows a confirm page, only POST records.

Mail scanners follow links, so a GET never writes. Both record through the ticket page's rating
service, so the first rating decides whichever way it came; a used, expired, forged or tampered
link is refused with a page in the reader's language (JSON for API callers) and nothing written.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from shared.api.account_pages import account_page, request_language
from shared.api.context import current_scope
from shared.api.errors import ApiError
from shared.api.pages import wants_html
from shared.api.requests import query_param
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
_LINK = {"verdict": "good|bad", "token": "from the mail"}
# Why a link is refused: (status, code, field's reason); the page words each in the reader's language.
_REFUSALS = {
    "invalid": (401, "invalid_link", "This link is not valid."),
    "not_found": (404, "not_found", "This request does not exist."),
    "expired": (410, "link_expired", "This link has expired."),
    "used": (409, "already_rated", "This request was rated already, or is not solved."),
}


def _refused(reason: str, language: str | None = None) -> Response:
    status, code, message = _REFUSALS[reason]
    request = bp.current_request
    if wants_html(request.headers) or request.method == "GET":
        return account_page("rating_refused", request_language(request, language), status, reason=reason)
    raise ApiError(status, code, message, {"token": reason})


def _checked(number: str) -> tuple[Any, str] | Response:
    """(the ticket, the link's verdict), or the refusal's answer."""
    from shared.services.support import rating

    request = bp.current_request
    verdict, token = query_param(request, "verdict", ""), query_param(request, "token", "")
    try:
        return rating.checked_rating_link(number, verdict, token, current_scope().now), verdict
    except rating.InvalidLink:
        return _refused("invalid")
    except rating.NotFound:
        return _refused("not_found")
    except rating.LinkExpired:
        return _refused("expired")


@api_route(bp, "/ticket-ratings/{number}", "GET", access=Access.SIGNED_LINK, query=_LINK,
           response_content_type="text/html", summary="The solved mail's rating link: a confirm page; records nothing")
def rating_page(number: str) -> Response:
    from shared.services.support.rating import may_rate_ticket, reader_language

    checked = _checked(number)
    if isinstance(checked, Response):
        return checked
    ticket, verdict = checked
    language = reader_language(ticket)
    if not may_rate_ticket(ticket):
        return _refused("used", language)
    request = bp.current_request
    return account_page("rating_confirm", request_language(request, language), subject=ticket.subject,
                        number=ticket.number, verdict=verdict, token=query_param(request, "token", ""))


@api_route(bp, "/ticket-ratings/{number}", "POST", access=Access.SIGNED_LINK, query=_LINK, creates=True,
           response_content_type="text/html", summary="Record the rating of the solved mail's link, once",
           request_model="shared.api.account_forms:RatingLinkForm")
def record_rating(number: str) -> Response:
    from shared.api.account_forms import RatingLinkForm
    from shared.api.desk_pages import form_of
    from shared.services.support.rating import NotRateable, rate, reader_language

    form = form_of(bp.current_request, RatingLinkForm)
    checked = _checked(number)
    if isinstance(checked, Response):
        return checked
    ticket, verdict = checked
    language = reader_language(ticket)
    try:
        rate(ticket, form.verdict or verdict, form.comment, current_scope().now)
    except NotRateable:
        return _refused("used", language)
    return account_page("rating_done", request_language(bp.current_request, language))
