"""The staff desk's sign-in (SPEC §13, issue 15 item 1): mailed single-use link, session cookie, sign-out.

Parse, call the session service, answer a page. The cookie is set only on the answer of the
confirming POST and then the browser is sent on with 303: no token ever stays in a URL.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import cleared_cookie_headers, desk_page, form_of, see_other, session_cookie_headers
from shared.api.requests import query_param
from shared.api.routing import Access, api_route
from shared.rules.ui_text import N_

bp = Blueprint(__name__)
HOME = "/desk/home"
_PAGE = {"response_content_type": "text/html"}


@api_route(bp, "/desk", "GET", access=Access.PUBLIC, summary="The desk's sign-in page", **_PAGE)
def sign_in_page() -> Response:
    from shared.policy import get_policy

    return desk_page("sign_in", link_minutes=get_policy().desk.sign_in_link_minutes)


@api_route(
    bp,
    "/desk/sign-in",
    "POST",
    access=Access.PUBLIC,
    summary="Mail a single-use sign-in link to a staff address",
    request_model="shared.api.desk_forms:SignInForm",
    **_PAGE,
)
def request_sign_in() -> Response:
    from shared.api.desk_forms import SignInForm
    from shared.services.sessions.desk import desk_sessions

    form = form_of(bp.current_request, SignInForm)
    desk_sessions().request_link(str(form.email), current_scope().now)
    # The same answer for every address: the page never tells who is staff.
    text = N_("If this address belongs to a staff member, a sign-in link is on its way. It works once.")
    return desk_page("message", heading=N_("Check your mail"), text=text)


@api_route(
    bp,
    "/desk/sign-in/confirm",
    "GET",
    access=Access.SIGNED_LINK,
    summary="The page behind the link: a button",
    query={"token": "the token from the sign-in mail"},
    **_PAGE,
)
def confirm_page() -> Response:
    token = query_param(bp.current_request, "token", "")
    return desk_page("confirm", token=token)


@api_route(
    bp,
    "/desk/sign-in/confirm",
    "POST",
    access=Access.SIGNED_LINK,
    summary="Use the link: opens a new session",
    request_model="shared.api.desk_forms:SignInConfirmForm",
    **_PAGE,
)
def confirm_sign_in() -> Response:
    from shared.api.desk_forms import SignInConfirmForm
    from shared.services.sessions.desk import desk_sessions
    from shared.services.sessions.service import LinkRefused

    form = form_of(bp.current_request, SignInConfirmForm)
    try:
        opened = desk_sessions().confirm_link(form.token, current_scope().now)
    except LinkRefused as exc:
        status = {"unknown": 404, "expired": 410, "used": 409}[exc.reason]
        text = N_("This sign-in link is not valid any more (used, expired or unknown). Ask for a new one.")
        return desk_page("message", status, heading=N_("Link not valid"), text=text)
    return see_other(
        "/desk/second-factor" if opened.needs_second_factor else HOME, session_cookie_headers(opened.session_id)
    )


@api_route(bp, "/desk/home", "GET", access=Access.DESK, summary="The desk's start page", **_PAGE)
def home_page() -> Response:
    live = current_scope().session
    return desk_page("home", member=live.subject, csrf_token=live.csrf_token)


@api_route(bp, "/desk/sign-out", "POST", access=Access.DESK, summary="End this session", **_PAGE)
def sign_out() -> Response:
    from shared.services.sessions.desk import desk_sessions

    desk_sessions().sign_out(current_scope().session)
    return see_other("/desk", cleared_cookie_headers())


@api_route(bp, "/desk/sign-out-everywhere", "POST", access=Access.DESK, summary="End every session of mine", **_PAGE)
def sign_out_everywhere() -> Response:
    from shared.services.sessions.desk import desk_sessions

    scope = current_scope()
    desk_sessions().sign_out_everywhere(scope.session.subject.subject_id, scope.now)
    return see_other("/desk", cleared_cookie_headers())
