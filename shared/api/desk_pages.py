"""The desk's server-rendered pages (Jinja2, autoescape) in one layout, with a strict CSP."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from chalice.app import Response

DESK_ROOT = Path(__file__).resolve().parents[1] / "templates" / "desk"
# Only our own files run or style the page: no inline script or style, no other origin.
DESK_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@cache
def _environment(language: str) -> Any:
    import jinja2

    from shared.api.desk_i18n import desk_translations
    from shared.api.static_assets import asset_url
    from shared.rules.desk_labels import code_label

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(DESK_ROOT)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(desk_translations(language), newstyle=True)  # type: ignore[attr-defined]
    # A text made in Python (a notice, a queue's title; marked with N_ for the catalog): translated as it
    # is, never %-formatted, so a text with a "%" in it cannot break the page.
    env.filters["t"] = desk_translations(language).gettext
    env.filters["label"] = lambda code: desk_translations(language).gettext(code_label(code))  # a state, a priority
    env.globals["asset_url"] = asset_url
    env.globals["desk_languages"] = _language_names()
    return env


def _language_names() -> dict[str, str]:
    """Each desk language by its own name ("Deutsch"), so a member finds theirs whatever the page speaks."""
    from babel import Locale

    from shared.policy import get_policy

    return {code: Locale.parse(code).get_display_name(code) or code for code in get_policy().desk.ui_languages}


def desk_page(name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> Response:
    context.setdefault("member", None)
    context.setdefault("csrf_token", "")
    from shared.api.desk_i18n import request_desk_language

    language = context["ui_language"] = request_desk_language(context["member"])
    body = _environment(language).get_template(f"{name}.html").render(**context)
    return Response(
        body=body,
        status_code=status,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Language": language,
            "Vary": "Accept-Language, Cookie",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": DESK_CSP,
            "X-Frame-Options": "DENY",
            **(headers or {}),
        },
    )


def see_other(location: str, headers: dict[str, str] | None = None) -> Response:
    """After a form post, the browser loads the next page with GET (no resubmission, no token in the URL)."""
    return Response(body="", status_code=303, headers={"Location": location, **(headers or {})})


def session_cookie_headers(session_id: str) -> dict[str, str]:
    """Set-Cookie of a new desk session: it lives as long as the session's absolute lifetime."""
    from shared.rules.sessions.cookies import set_cookie_header
    from shared.services.sessions.desk import DESK_SCOPE, desk_sessions
    from shared.settings import get_settings

    lifetime = int(desk_sessions().limits.absolute.total_seconds())
    return {"Set-Cookie": set_cookie_header(DESK_SCOPE, get_settings().stage, session_id, lifetime)}


def cleared_cookie_headers() -> dict[str, str]:
    from shared.rules.sessions.cookies import clear_cookie_header
    from shared.services.sessions.desk import DESK_SCOPE
    from shared.settings import get_settings

    return {"Set-Cookie": clear_cookie_header(DESK_SCOPE, get_settings().stage)}


def form_of(request: Any, model: Any) -> Any:
    """The validated form of a desk post (400 naming the field otherwise)."""
    from shared.api.requests import decode_body, raw_body, validate

    return validate(model, decode_body(raw_body(request), request.headers))
