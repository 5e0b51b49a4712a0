"""The desk's optional second factor (TOTP, `pyotp`): after the link, before any desk page.

The session opened by the link admits nothing else until the code passes; then it gets a new id
(and CSRF token), so an id seen before the second factor never carries its rights.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import desk_page, form_of, see_other, session_cookie_headers
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
HOME = "/desk/home"
_PAGE = {"response_content_type": "text/html"}


@api_route(bp, "/desk/second-factor", "GET", access=Access.PUBLIC, summary="The TOTP code page", **_PAGE)
def second_factor_page() -> Response:
    from shared.api.desk_auth import desk_cookie_session

    live = desk_cookie_session(bp.current_request, current_scope().now)
    if live is None or live.second_factor_done:
        return see_other("/desk" if live is None else HOME)
    return desk_page("second_factor", csrf_token=live.csrf_token, failed=False)


@api_route(
    bp,
    "/desk/second-factor",
    "POST",
    access=Access.PUBLIC,
    summary="Check the TOTP code; a new session id",
    request_model="shared.api.desk_forms:SecondFactorForm",
    **_PAGE,
)
def pass_second_factor() -> Response:
    from shared.api.desk_auth import csrf_presented, desk_cookie_session
    from shared.api.desk_forms import SecondFactorForm
    from shared.api.errors import ApiError
    from shared.services.sessions.desk import desk_sessions
    from shared.services.sessions.service import SecondFactorRefused

    now = current_scope().now
    live = desk_cookie_session(bp.current_request, now)
    if live is None or not live.csrf_matches(csrf_presented(bp.current_request)):
        raise ApiError(
            403, "csrf_failed", "The form is stale or not ours: sign in again.", {"csrf_token": "missing or wrong"}
        )
    form = form_of(bp.current_request, SecondFactorForm)
    try:
        session_id = desk_sessions().pass_second_factor(live, form.code, now)
    except SecondFactorRefused:
        return desk_page("second_factor", 400, csrf_token=live.csrf_token, failed=True)
    return see_other(HOME, session_cookie_headers(session_id))
