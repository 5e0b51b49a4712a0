"""The subscription page's actions (issue 16 item 2): become a customer, change edition, users.

Each parses the form, calls the account pages' service (which calls the JSON API's service) and
answers 303 back to the page; every refusal is the API's 4xx naming the field.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer, viewer_page
from shared.api.account_refusals import refused
from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.errors import not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import raw_body
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
_PAGE = {"response_content_type": "text/html"}
PAGE = "/account/subscription"


def _once(create: Callable[[], Response]) -> Response:
    request = bp.current_request
    return run_idempotently(request.headers, raw_body(request), refused(create), bp.lambda_context)


@api_route(
    bp, f"{PAGE}/customer", "POST", access=Access.CUSTOMER, creates=True,
    summary="Become a customer: the edition and the billing address (the admin)",
    request_model="shared.api.account_forms:BecomeCustomerForm", **_PAGE,
)
def become_customer() -> Response:
    def create() -> Response:
        from shared.api.account_forms import BecomeCustomerForm
        from shared.policy import get_policy
        from shared.services.account_pages.subscription_actions import become_customer as become
        from shared.storage.billing_address import BillingAddress

        form = form_of(bp.current_request, BecomeCustomerForm)
        address = BillingAddress(form.street, form.postcode, form.city, form.country, form.buyer_reference)
        become(current_viewer(), form.edition, address, current_scope().now, get_policy())
        return see_other(f"{PAGE}?done=customer")

    return _once(create)


@api_route(
    bp, f"{PAGE}/edition", "GET", access=Access.CUSTOMER, summary="When an edition change would apply, to confirm",
    query={"edition": "the edition to change to"}, **_PAGE,
)
def edition_preview() -> Response:
    from shared.api.requests import validate
    from shared.contracts import SubscriptionRequest
    from shared.policy import get_policy
    from shared.services.account_pages.subscription_actions import edition_preview as preview

    def show() -> Response:
        form = validate(SubscriptionRequest, dict(bp.current_request.query_params or {}))
        shown = preview(current_viewer(), form.edition, current_scope().now, get_policy())
        return viewer_page(bp.current_request, "edition_confirm", preview=shown)

    return refused(show)()


@api_route(
    bp, f"{PAGE}/edition", "POST", access=Access.CUSTOMER, creates=True,
    summary="Change the edition as previewed (an upgrade now, a downgrade on the 1st of next month)",
    request_model="shared.api.account_forms:EditionConfirmForm", **_PAGE,
)
def change_edition() -> Response:
    def create() -> Response:
        from shared.api.account_forms import EditionConfirmForm
        from shared.policy import get_policy
        from shared.services.account_pages.subscription_actions import change_edition as change

        form = form_of(bp.current_request, EditionConfirmForm)
        change(current_viewer(), form.edition, form.applies_on, current_scope().now, get_policy())
        return see_other(f"{PAGE}?done=edition")

    return _once(create)


@api_route(
    bp, "/account/users", "POST", access=Access.CUSTOMER, creates=True,
    summary="Activate a user (again: the same person is the same user)",
    request_model="shared.api.account_forms:AddUserForm", **_PAGE,
)
def add_user() -> Response:
    def create() -> Response:
        from shared.api.account_forms import AddUserForm
        from shared.services.account_pages.subscription_actions import add_user as add

        form = form_of(bp.current_request, AddUserForm)
        add(current_viewer(), str(form.email), form.name, current_scope().now)
        return see_other(f"{PAGE}?done=user")

    return _once(create)


@api_route(
    bp, "/account/users/{user_id}/deactivate", "POST", access=Access.CUSTOMER,
    summary="Deactivate a user (it still counts for the months it was active in)",
    request_model="shared.api.desk_forms:CsrfOnlyForm", **_PAGE,
)
def deactivate_user(user_id: str) -> Response:
    from shared.api.desk_forms import CsrfOnlyForm
    from shared.services.account_pages.subscription_actions import deactivate_user as deactivate

    def act() -> Response:
        form_of(bp.current_request, CsrfOnlyForm)
        if deactivate(current_viewer(), user_id, current_scope().now) is None:
            raise not_found("user")
        return see_other(f"{PAGE}?done=deactivated")

    return refused(act)()
