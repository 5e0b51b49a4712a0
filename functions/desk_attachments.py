"""An attachment of a ticket through the desk's short-lived signed link (issue 15 item 2)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import see_other
from shared.api.errors import ApiError, bad_request, not_found
from shared.api.requests import query_param
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp,
    "/desk/tickets/{number}/attachments/{message_id}/{index}",
    "GET",
    access=Access.DESK,
    staff_roles=("agent",),
    summary="Download one attachment through the ticket page's signed link (expires after minutes)",
    query={"token": "the link's signature, as the ticket page gave it"},
    response_content_type="application/octet-stream",
)
def attachment(number: str, message_id: str, index: str) -> Response:
    from shared.policy import get_policy
    from shared.services.support.attachments import Gone, InvalidLink, LinkExpired, open_attachment

    if not index.isascii() or not index.isdigit() or len(index) > 3:
        raise bad_request("No such attachment.", {"index": "a file's position, 0-999"})
    token = query_param(bp.current_request, "token")
    try:
        download = open_attachment(number, message_id, int(index), token, current_scope().now, get_policy())
    except InvalidLink as exc:
        raise ApiError(403, "invalid_link", "This link is not valid.", {"token": "not this file's link"}) from exc
    except LinkExpired as exc:
        message = "The link has expired: open the ticket again."
        raise ApiError(410, "link_expired", message, {"token": "expired"}) from exc
    except Gone as exc:
        raise not_found("attachment") from exc
    if download.redirect:
        return see_other(download.redirect, {"Referrer-Policy": "no-referrer"})
    return Response(
        body=download.body or b"",
        status_code=200,
        headers={
            # Never rendered by the browser on our origin: a file is data, whatever its sender called it.
            "Content-Type": "application/octet-stream",
            "Content-Disposition": f'attachment; filename="{download.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
