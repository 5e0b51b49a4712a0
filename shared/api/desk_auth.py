"""Who is at the desk: the session cookie, read again on every request, and the CSRF token of every POST.

A desk route (Access.DESK) admits only a live session of this stage whose member still exists, is
not deactivated and has passed the second factor if they have one; its roles are the API's. Every
state-changing request must carry the session's CSRF token (form field `csrf_token` or header
`X-CSRF-Token`): SameSite=Strict alone is not relied on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.api.errors import ApiError, forbidden
from shared.rules.accounts.principal import Principal
from shared.services.sessions.service import LiveSession

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def desk_cookie_session(request: Any, now: datetime) -> LiveSession | None:
    from shared.rules.sessions.cookies import session_id_from_cookies
    from shared.services.sessions.desk import DESK_SCOPE, desk_sessions
    from shared.settings import get_settings

    session_id = session_id_from_cookies(request.headers.get("cookie", ""), DESK_SCOPE, get_settings().stage)
    return desk_sessions().resolve(session_id, now)


def _signed_out(method: str) -> ApiError:
    # A page asked for goes back to the sign-in page; a post is refused, saying why.
    message = "Your desk session has ended: sign in again."
    if method in SAFE_METHODS:
        return ApiError(303, "signed_out", message, {"session": "missing or ended"}, headers={"Location": "/desk"})
    return ApiError(401, "signed_out", message, {"session": "missing or ended"}, headers={"HX-Redirect": "/desk"})


def csrf_presented(request: Any) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return str(header)
    from shared.api.account_uploads import is_multipart, multipart_form
    from shared.api.requests import decode_body, raw_body

    try:
        if is_multipart(request.headers):  # an upload form (the account pages)
            return multipart_form(raw_body(request), request.headers).fields.get(CSRF_FIELD) or ""
        return str(decode_body(raw_body(request), request.headers).get(CSRF_FIELD) or "")
    except ApiError:
        return None


def desk_principal(request: Any, roles: tuple[str, ...], now: datetime) -> tuple[Principal, LiveSession]:
    method = str(request.method).upper()
    live = desk_cookie_session(request, now)
    if live is None or not live.second_factor_done:
        raise _signed_out(method)
    if method not in SAFE_METHODS and not live.csrf_matches(csrf_presented(request)):
        raise ApiError(
            403, "csrf_failed", "The form is stale or not ours: reload the page.", {CSRF_FIELD: "missing or wrong"}
        )
    role = live.subject.role
    if roles and role not in roles and role != "admin":
        raise forbidden("role_not_allowed", f"This page needs one of the roles {', '.join(roles)}.")
    return Principal(kind="staff", role=role, staff_id=live.subject.subject_id), live
