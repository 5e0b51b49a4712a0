"""Who is on the customer pages: the account-scope session cookie, read again on every request, and CSRF.

A customer route (Access.CUSTOMER) admits only a live session of this stage in the customer
scope whose contact is still an active user of a live account. The desk's cookie is another
name and another scope's keys: it never opens these pages, and theirs never opens the desk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.api.desk_auth import SAFE_METHODS, csrf_presented
from shared.api.errors import ApiError
from shared.rules.accounts.principal import Principal
from shared.services.sessions.service import LiveSession

SIGN_IN_PAGE = "/account"


def customer_cookie_session(request: Any, now: datetime) -> LiveSession | None:
    from shared.rules.sessions.cookies import session_id_from_cookies
    from shared.services.sessions.customer import CUSTOMER_SCOPE, customer_sessions
    from shared.settings import get_settings

    session_id = session_id_from_cookies(request.headers.get("cookie", ""), CUSTOMER_SCOPE, get_settings().stage)
    return customer_sessions().resolve(session_id, now)


def customer_principal(request: Any, now: datetime) -> tuple[Principal, LiveSession]:
    from shared.services.sessions.customer import parts_of

    method = str(request.method).upper()
    live = customer_cookie_session(request, now)
    parts = parts_of(live.subject.subject_id) if live is not None else None
    if live is None or parts is None:
        message = "Your session has ended: sign in again."
        if method in SAFE_METHODS:
            return_to = {"Location": SIGN_IN_PAGE}
            raise ApiError(303, "signed_out", message, {"session": "missing or ended"}, headers=return_to)
        redirect = {"HX-Redirect": SIGN_IN_PAGE}
        raise ApiError(401, "signed_out", message, {"session": "missing or ended"}, headers=redirect)
    if method not in SAFE_METHODS and not live.csrf_matches(csrf_presented(request)):
        raise ApiError(
            403, "csrf_failed", "The form is stale or not ours: reload the page.", {"csrf_token": "missing or wrong"}
        )
    principal = Principal(kind="customer", role=live.subject.role, account_id=parts[0], staff_id=None)
    return principal, live
