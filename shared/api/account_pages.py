"""The customer pages (issue 16): the desk's stack (Jinja2, htmx, the CSS framework), in the page's language.

The same layout rules and CSP as the desk; the strings are gettext (shared/api/account_i18n.py),
so every page renders in the account's language or the contact's chosen one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from chalice.app import Response

from shared.api.desk_pages import DESK_CSP

ACCOUNT_ROOT = Path(__file__).resolve().parents[1] / "templates" / "account"


@cache
def _environment(language: str) -> Any:
    import jinja2

    from shared.api.account_i18n import long_date, money, translations
    from shared.api.static_assets import asset_url

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ACCOUNT_ROOT)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["asset_url"] = asset_url
    env.globals["language_choices"] = _language_choices()
    env.filters["long_date"] = lambda day: long_date(day, language)
    env.filters["money"] = lambda amount, currency="EUR": money(amount, currency, language)
    return env


def _language_choices() -> tuple[tuple[str, str], ...]:
    """(code, the language's name in itself): what a contact may choose (issue 16)."""
    from babel import Locale

    from shared.policy import get_policy

    return tuple((code, Locale.parse(code).get_display_name(code) or code) for code in get_policy().languages)


def request_language(request: Any, account_language: str | None) -> str:
    """`?lang=` (the contact's choice for this page), else the account's language, else the fallback."""
    from shared.api.account_i18n import page_language
    from shared.policy import get_policy

    policy = get_policy()
    wanted = (request.query_params or {}).get("lang")
    if wanted not in policy.languages:
        wanted = account_language
    return page_language(wanted, tuple(policy.languages), policy.fallback_language)


def account_page(
    name: str, language: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Response:
    context.setdefault("viewer", None)
    context.setdefault("csrf_token", "")
    context["language"] = language
    body = _environment(language).get_template(f"{name}.html").render(**context)
    return Response(
        body=body,
        status_code=status,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Language": language,
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": DESK_CSP,
            "X-Frame-Options": "DENY",
            **(headers or {}),
        },
    )


def account_cookie_headers(session_id: str) -> dict[str, str]:
    from shared.rules.sessions.cookies import set_cookie_header
    from shared.services.sessions.customer import CUSTOMER_SCOPE, customer_sessions
    from shared.settings import get_settings

    lifetime = int(customer_sessions().limits.absolute.total_seconds())
    return {"Set-Cookie": set_cookie_header(CUSTOMER_SCOPE, get_settings().stage, session_id, lifetime)}


def cleared_account_cookie_headers() -> dict[str, str]:
    from shared.rules.sessions.cookies import clear_cookie_header
    from shared.services.sessions.customer import CUSTOMER_SCOPE
    from shared.settings import get_settings

    return {"Set-Cookie": clear_cookie_header(CUSTOMER_SCOPE, get_settings().stage)}


def viewer_page(request: Any, name: str, status: int = 200, **context: Any) -> Response:
    """A page for the signed-in contact, in their language, with the session's CSRF token."""
    from shared.api.context import current_scope
    from shared.policy import get_policy
    from shared.services.account_pages.language import viewer_language
    from shared.services.account_pages.viewer import viewer_of

    live = current_scope().session
    viewer = viewer_of(live.subject)
    language = request_language(request, viewer_language(viewer, get_policy()))
    return account_page(name, language, status, viewer=viewer, csrf_token=live.csrf_token, **context)


def current_viewer() -> Any:
    from shared.api.context import current_scope
    from shared.services.account_pages.viewer import viewer_of

    return viewer_of(current_scope().session.subject)
