"""The customer pages' sign-in (issue 16 item 1): a mailed single-use link, a session cookie, sign-out.

The desk's mechanism in the customer scope: parse, call the session service, answer a page in
the language asked for (the account's is not known before sign-in).
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import (
    account_cookie_headers,
    account_page,
    cleared_account_cookie_headers,
    request_language,
)
from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.requests import query_param
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
HOME = "/account/tickets"
_PAGE = {"response_content_type": "text/html"}
_LANG = {"lang": "the page's language (cs de en es fr hu it nl pl pt ro tr)"}


def _language() -> str:
    return request_language(bp.current_request, None)


@api_route(bp, "/account", "GET", access=Access.PUBLIC, summary="The customer pages' sign-in", query=_LANG, **_PAGE)
def sign_in_page() -> Response:
    from shared.policy import get_policy

    return account_page("sign_in", _language(), link_minutes=get_policy().desk.sign_in_link_minutes)


@api_route(
    bp,
    "/account/sign-in",
    "POST",
    access=Access.PUBLIC,
    summary="Mail a single-use sign-in link to an account's contact",
    request_model="shared.api.account_forms:SignInForm",
    **_PAGE,
)
def request_sign_in() -> Response:
    from shared.api.account_forms import SignInForm
    from shared.services.sessions.customer import customer_sessions

    form = form_of(bp.current_request, SignInForm)
    customer_sessions().request_link(str(form.email), current_scope().now)
    # The same answer for every address: the page never tells who is a customer.
    return account_page("link_sent", _language())


@api_route(
    bp,
    "/account/sign-in/confirm",
    "GET",
    access=Access.SIGNED_LINK,
    summary="The page behind the link: a button",
    query={"token": "the token from the sign-in mail"},
    **_PAGE,
)
def confirm_page() -> Response:
    return account_page("confirm", _language(), token=query_param(bp.current_request, "token", ""))


@api_route(
    bp,
    "/account/sign-in/confirm",
    "POST",
    access=Access.SIGNED_LINK,
    summary="Use the link: opens a new session",
    request_model="shared.api.account_forms:SignInConfirmForm",
    **_PAGE,
)
def confirm_sign_in() -> Response:
    from shared.api.account_forms import SignInConfirmForm
    from shared.services.sessions.customer import customer_sessions
    from shared.services.sessions.service import LinkRefused

    form = form_of(bp.current_request, SignInConfirmForm)
    try:
        opened = customer_sessions().confirm_link(form.token, current_scope().now)
    except LinkRefused as exc:
        status = {"unknown": 404, "expired": 410, "used": 409}[exc.reason]
        return account_page("link_refused", _language(), status)
    return see_other(HOME, account_cookie_headers(opened.session_id))


@api_route(bp, "/account/sign-out", "POST", access=Access.CUSTOMER, summary="End this session", **_PAGE)
def sign_out() -> Response:
    from shared.services.sessions.customer import customer_sessions

    customer_sessions().sign_out(current_scope().session)
    return see_other("/account", cleared_account_cookie_headers())
