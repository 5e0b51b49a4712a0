"""The subscription page (issue 16 item 2), for the account's admin: trial days left, edition, users.

A contact who is not the admin gets 403 (the page exists for them, its content does not).
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer, viewer_page
from shared.api.context import current_scope
from shared.api.errors import forbidden
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp,
    "/account/subscription",
    "GET",
    access=Access.CUSTOMER,
    summary="The subscription page (the account's admin)",
    response_content_type="text/html",
)
def subscription_page() -> Response:
    from shared.policy import get_policy
    from shared.services.account_pages.subscription import subscription_facts
    from shared.services.account_pages.viewer import NotTheAdmin

    try:
        facts = subscription_facts(current_viewer(), current_scope().now, get_policy().company_time_zone)
    except NotTheAdmin as exc:
        raise forbidden("admin_only", "Only the account's admin manages the subscription.") from exc
    from shared.api.account_view import account_view

    shown = {**account_view(facts.pop("account"), facts.pop("users"), current_scope().now), **facts}
    editions = list(get_policy().billing.editions)
    return viewer_page(bp.current_request, "subscription", account=shown, editions=editions)
