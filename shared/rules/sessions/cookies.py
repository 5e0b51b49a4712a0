"""The session cookie: its name per scope and stage, and its attributes (SPEC §13).

HttpOnly (no script reads it), SameSite=Strict (no other site's form or link sends it), Path=/ and
Secure with the `__Host-` prefix (the browser refuses it over plain HTTP and from any subdomain).
Only the `local` stage, served over http://localhost, drops Secure — and its cookie has another
name, so a local stage's cookie is never even read by a deployed stage.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

LOCAL_STAGE = "local"
# What a session id looks like (secrets.token_urlsafe(32)): anything else is not looked up at all.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")


def cookie_name(scope: str, stage: str) -> str:
    if stage == LOCAL_STAGE:
        return f"cocoon_{scope}_local"
    return f"__Host-cocoon_{scope}"


def set_cookie_header(scope: str, stage: str, session_id: str, max_age_seconds: int) -> str:
    parts = [f"{cookie_name(scope, stage)}={session_id}", "Path=/", f"Max-Age={max_age_seconds}", "HttpOnly"]
    if stage != LOCAL_STAGE:
        parts.append("Secure")
    parts.append("SameSite=Strict")
    return "; ".join(parts)


def clear_cookie_header(scope: str, stage: str) -> str:
    return set_cookie_header(scope, stage, "", 0)


def session_id_from_cookies(cookie_header: str, scope: str, stage: str) -> str | None:
    """The session id this stage's cookie carries, or None (absent, malformed, or another stage's name)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except Exception:
        return None
    morsel = jar.get(cookie_name(scope, stage))
    if morsel is None or not SESSION_ID.fullmatch(morsel.value):
        return None
    return morsel.value
