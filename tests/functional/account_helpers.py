"""Signing a customer's contact in to the account pages through the mailed link (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.functional.helpers import deliver_mail, desk_cookie_of, desk_csrf_of, mail_text, now_header, post_form

ACCOUNT_NOW = "2026-11-23T10:00:00+01:00"


def account_link_from_outbox(outbox_dir: Path, recipient: str) -> str:
    for path in sorted(outbox_dir.glob("signin-*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        if f"To: {recipient}" not in path.read_text():
            continue
        match = re.search(r"/account/sign-in/confirm\?token=([A-Za-z0-9_\-]+)", mail_text(path))
        if match:
            return match.group(1)
    raise AssertionError(f"no account sign-in mail to {recipient}")


def account_request_link(client: Any, outbox_dir: Path, email: str, now: str = ACCOUNT_NOW) -> str:
    response = post_form(client, "/account/sign-in", {"email": email}, now_header(now))
    assert response.status_code == 200, response.body
    deliver_mail(now)
    return account_link_from_outbox(outbox_dir, email)


def account_sign_in(client: Any, outbox_dir: Path, email: str, now: str = ACCOUNT_NOW) -> tuple[str, str]:
    """(the Cookie header value, the session's CSRF token) of a contact signed in by the mailed link."""
    token = account_request_link(client, outbox_dir, email, now)
    confirmed = post_form(client, "/account/sign-in/confirm", {"token": token}, now_header(now))
    assert confirmed.status_code == 303, confirmed.body
    cookie = desk_cookie_of(confirmed)
    page = client.http.get("/account/tickets", headers={"Cookie": cookie, **now_header(now)})
    assert page.status_code == 200, page.body
    return cookie, desk_csrf_of(page)


def text_of(response: Any) -> str:
    body = response.body
    return body.decode() if isinstance(body, bytes) else str(body)


def staff(client: Any, agent: dict[str, str], method: str, path: str, body: Any = None,
          now: str = "2026-11-23T12:00:00+01:00") -> Any:
    """A staff API call at a given moment (as tests/functional/test_support_process.py makes them)."""
    from tests.functional.helpers import post_json

    headers = {**agent, **now_header(now)}
    if method == "GET":
        return client.http.get(path, headers=headers)
    return post_json(client, path, body or {}, headers)


def open_ticket(client: Any, customer: dict[str, Any], now: str, impact: str = "severe") -> str:
    from tests.functional.helpers import auth, body_of, post_json

    response = post_json(
        client, "/tickets", {"subject": "Export fails", "description": "Error 500", "impact": impact},
        {**auth(customer), **now_header(now)},
    )
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])
