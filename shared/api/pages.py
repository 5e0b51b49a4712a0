"""Small HTML pages for people following links (no JavaScript needed), autoescaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from chalice.app import Response

PAGE_ROOT = Path(__file__).resolve().parents[1] / "templates" / "pages"


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PAGE_ROOT)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def html_page(name: str, status: int = 200, **context: Any) -> Response:
    body = _environment().get_template(f"{name}.html").render(**context)
    return Response(
        body=body,
        status_code=status,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            # Links carry secrets in their query: never leak them to other sites.
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; form-action 'self'",
        },
    )


def wants_html(headers: Any) -> bool:
    """A browser's form post (form-encoded, accepting HTML) gets a page; API clients get JSON."""
    content_type = str(headers.get("content-type", "")).lower()
    accept = str(headers.get("accept", "")).lower()
    return content_type.startswith("application/x-www-form-urlencoded") and "text/html" in accept
