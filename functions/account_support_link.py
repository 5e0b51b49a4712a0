"""The in-app "Support" button (issue 16 item 3): a single-use deep link to the account pages, valid minutes.

Asked for with the account's token; answered once (an Idempotency-Key is not honoured: a replay
would need the link stored). The link opens through the pages' sign-in confirmation.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import ApiError, not_found
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)


@api_route(
    bp, "/accounts/{id}/support-link", "POST", access=Access.TENANT, status=201,
    summary="A single-use link that opens the account pages for a contact (the admin by default), valid minutes",
    request_model="shared.api.account_forms:SupportLinkRequest",
)
def support_link(id: str) -> Response:
    from shared.api.account_forms import SupportLinkRequest
    from shared.policy import get_policy
    from shared.services.account_pages.deep_link import NotAContact
    from shared.services.account_pages.deep_link import support_link as make_link
    from shared.settings import get_settings

    request = bp.current_request
    form = validate(SupportLinkRequest, decode_body(raw_body(request), request.headers))
    account = tenant_account(id)
    if account is None:
        raise not_found("account")
    try:
        link = make_link(account, form.email, current_scope().now, get_policy(), get_settings().public_url)
    except NotAContact as exc:
        message = "This e-mail is not a user of the account."
        raise ApiError(400, "not_a_contact", message, {"email": "not a user of this account"}) from exc
    return json_response({"url": link.url, "valid_until": link.valid_until.isoformat()}, status=201,
                         headers={"Cache-Control": "no-store"})
