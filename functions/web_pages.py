"""The public web forms (SPEC §2 "Signup", §6 "Support"): GET / and GET /support.

Plain HTML forms that post form-encoded fields to POST /signup and POST /tickets,
the same endpoints the API documents. A small inline script (no framework)
submits them with fetch and puts each error of the JSON answer next to its field;
without JavaScript the form still posts and the browser shows the JSON answer.
"""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any

from chalice.app import Blueprint, Response

from shared.api.pages import html_page
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)

# The pages' own script runs only with this response's nonce: an injected <script> would not.
_CSP = (
    "default-src 'self'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@api_route(
    bp,
    "/",
    "GET",
    access=Access.PUBLIC,
    response_content_type="text/html",
    summary="The signup page: a plain HTML form that posts to POST /signup",
)
def signup_page() -> Response:
    from shared.policy import get_policy

    policy = get_policy()
    headers = bp.current_request.headers
    return _page(
        "signup",
        languages=_language_choices(tuple(policy.languages)),
        chosen_language=_preferred_language(headers.get("accept-language", ""), policy),
        countries=_country_choices(),
        dpa_version=policy.dpa_version,
    )


@api_route(
    bp,
    "/support",
    "GET",
    access=Access.PUBLIC,
    response_content_type="text/html",
    summary="The support form: a plain HTML form that posts to POST /tickets",
)
def support_page() -> Response:
    return _page("support")


def _page(name: str, **context: Any) -> Response:
    nonce = secrets.token_urlsafe(16)
    response = html_page(name, nonce=nonce, **context)
    response.headers["Content-Security-Policy"] = _CSP.format(nonce=nonce)
    return response


@cache
def _language_choices(languages: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each language by its own name ("Deutsch", "Čeština"): a reader finds their language without English."""
    from babel import Locale

    choices = []
    for code in languages:
        name = str(Locale.parse(code).get_display_name(code) or code)
        choices.append((code, name[:1].upper() + name[1:]))
    return choices


@cache
def _country_choices() -> list[tuple[str, str]]:
    """ISO 3166 alpha-2 countries by English name: the codes SignupRequest accepts."""
    from babel import Locale

    from shared.rules.country_codes import COUNTRY_CODES

    territories: dict[str, str] = dict(Locale("en").territories)
    return sorted(((code, territories[code]) for code in COUNTRY_CODES), key=lambda pair: pair[1])


def _preferred_language(accept_language: str, policy: Any) -> str:
    """The first offered language the browser asks for (Accept-Language), else the fallback."""
    wanted: list[tuple[float, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:  # q=0 means "not this one"
            wanted.append((-quality + index * 1e-6, tag.split("-")[0].strip().lower()))
    for _, code in sorted(wanted):
        if code in policy.languages:
            return str(code)
    return str(policy.fallback_language)
