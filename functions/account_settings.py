"""The admin's add-on apps, authorizers and admin API token from the billing page (issue 16 item 2).

Each calls the JSON API's service for the viewer's own account; the new admin token is answered
once on a page that is never stored (no-store) and never again.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer, viewer_page
from shared.api.account_refusals import refused
from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.errors import not_found
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
_POST = {"response_content_type": "text/html"}
_CSRF = "shared.api.desk_forms:CsrfOnlyForm"
BILLING = "/account/billing"


def _checked(act: Callable[[], Response]) -> Response:
    from shared.api.desk_forms import CsrfOnlyForm

    form_of(bp.current_request, CsrfOnlyForm)
    return refused(act)()


@api_route(
    bp, "/account/apps/{app_id}", "POST", access=Access.CUSTOMER,
    summary="Subscribe an add-on app",
    request_model=_CSRF, **_POST,
)
def subscribe_app(app_id: str) -> Response:
    from shared.services.account_pages.billing import subscribe_app as subscribe

    def act() -> Response:
        subscribe(current_viewer(), app_id, current_scope().now)
        return see_other(f"{BILLING}?done=app")

    return _checked(act)


@api_route(
    bp, "/account/apps/{app_id}/cancel", "POST", access=Access.CUSTOMER,
    summary="Cancel an add-on app to the month's end",
    request_model=_CSRF, **_POST,
)
def cancel_app(app_id: str) -> Response:
    from shared.services.account_pages.billing import cancel_app as cancel

    def act() -> Response:
        if cancel(current_viewer(), app_id, current_scope().now) is None:
            raise not_found("app subscription")
        return see_other(f"{BILLING}?done=app_cancelled")

    return _checked(act)


@api_route(
    bp, "/account/authorizers", "POST", access=Access.CUSTOMER,
    summary="Name a person whose approval tickets may wait for",
    request_model="shared.api.account_forms:AuthorizerForm", **_POST,
)
def add_authorizer() -> Response:
    from shared.api.account_forms import AuthorizerForm
    from shared.services.account_pages.billing import add_authorizer as add

    def act() -> Response:
        form = form_of(bp.current_request, AuthorizerForm)
        add(current_viewer(), form.name, str(form.email))
        return see_other(f"{BILLING}?done=authorizer")

    return refused(act)()


@api_route(
    bp, "/account/authorizers/{authorizer_id}/remove", "POST", access=Access.CUSTOMER,
    summary="Remove a named authorizer",
    request_model=_CSRF, **_POST,
)
def remove_authorizer(authorizer_id: str) -> Response:
    from shared.services.account_pages.billing import remove_authorizer as remove

    def act() -> Response:
        if not remove(current_viewer(), authorizer_id):
            raise not_found("authorizer")
        return see_other(f"{BILLING}?done=authorizer_removed")

    return _checked(act)


@api_route(
    bp, "/account/admin-token", "POST", access=Access.CUSTOMER,
    summary="Rotate the admin API token: shown once on this page, never again",
    request_model=_CSRF, **_POST,
)
def rotate_admin_token() -> Response:
    from shared.services.account_pages.billing import rotate_admin_token as rotate

    def act() -> Response:
        token = rotate(current_viewer(), current_scope().now)
        shown = viewer_page(bp.current_request, "admin_token", token=token)
        shown.headers["Cache-Control"] = "no-store"
        return shown

    return _checked(act)
