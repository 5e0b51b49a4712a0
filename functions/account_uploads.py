"""Screenshot and log uploads to my ticket (issue 16 item 3): the policy's types and size, stored like mail
attachments (under the account's prefix, named on the message), as a customer message of the ticket."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer
from shared.api.context import current_scope
from shared.api.desk_pages import see_other
from shared.api.errors import ApiError, conflict, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import raw_body
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp, "/account/tickets/{number}/attachments", "POST", access=Access.CUSTOMER, creates=True,
    summary="Upload a screenshot or a log file to my ticket (multipart/form-data: file, optional text)",
    content_types=("multipart/form-data",), max_body_policy="support.max_mail_bytes",
    response_content_type="text/html",
)
def upload(number: str) -> Response:
    request = bp.current_request

    def create() -> Response:
        from shared.api.account_uploads import multipart_form
        from shared.policy import get_policy
        from shared.rules.support.uploads import UploadRefused
        from shared.services.account_pages.tickets import TicketNotTaken, visible_ticket
        from shared.services.account_pages.tickets import upload as attach

        form = multipart_form(raw_body(request), request.headers)
        viewer = current_viewer()
        ticket = visible_ticket(viewer, number)
        if ticket is None:
            raise not_found("ticket")
        text = form.fields.get("text", "")[:50_000]
        try:
            attach(viewer, ticket, form.filename, form.content, text, current_scope().now, get_policy())
        except UploadRefused as exc:
            message = f"The file cannot be stored: {exc.reason}."
            raise ApiError(400, "upload_refused", message, {exc.field: exc.reason}) from exc
        except TicketNotTaken as exc:
            raise conflict("ticket_closed", "This request is closed; please open a new one.") from exc
        return see_other(f"/account/tickets/{number}?done=uploaded")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)
