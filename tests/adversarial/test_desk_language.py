"""The desk language's boundary (issue 15 item 7): each test is an attacker's attempt and its refusal."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.functional.helpers import (
    DESK_NOW,
    auth,
    body_of,
    desk_member,
    desk_sign_in,
    now_header,
    post_form,
    post_json,
    signup_and_verify,
)


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


def _chosen(email: str) -> str | None:
    from shared.storage.staff_desk import member_by_email

    member = member_by_email(email)
    assert member is not None
    return member.desk_language


def _desk(client, outbox_dir, email: str, role: str = "agent") -> dict[str, str]:
    desk_member(email, role=role)
    cookie, csrf = desk_sign_in(client, outbox_dir, email)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(DESK_NOW)}


def _lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', page)
    return match.group(1) if match else ""


def test_a_forged_form_without_the_csrf_token_cannot_switch_a_members_language(client, outbox_dir):
    desk = _desk(client, outbox_dir, "ada@cocoon.example")
    cookie_only = {"Cookie": desk["Cookie"], **now_header(DESK_NOW)}
    for token in ({}, {"csrf_token": "guessed"}):
        answer = post_form(client, "/desk/language", {**token, "language": "de"}, cookie_only)
        assert answer.status_code == 403 and "csrf_token" in _text(answer)
    assert _chosen("ada@cocoon.example") is None


@pytest.mark.parametrize("language", ["fr", "tr", "xx", "../de", "de\r\nSet-Cookie: a=b", "<script>", "d" * 500, ""])
def test_a_language_the_desk_does_not_offer_is_refused_naming_the_field(client, outbox_dir, language):
    desk = _desk(client, outbox_dir, "ada@cocoon.example")
    answer = post_form(client, "/desk/language", {"language": language, "csrf_token": desk["X-CSRF-Token"]}, desk)
    assert answer.status_code == 400, answer.body
    assert "language" in body_of(answer)["error"]["fields"]
    assert _chosen("ada@cocoon.example") is None


def test_no_cookie_and_a_customer_token_never_reach_the_setting(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-11-02T10:00:00+01:00")
    desk_member("ada@cocoon.example")
    for headers in ({}, auth(verified)):
        answer = post_form(client, "/desk/language", {"language": "de", "csrf_token": "x"}, {**headers, **now_header(DESK_NOW)})
        assert answer.status_code == 401 and body_of(answer)["error"]["code"] == "signed_out"
    assert _chosen("ada@cocoon.example") is None


def test_one_members_choice_never_switches_another_members_desk(client, outbox_dir):
    ada = _desk(client, outbox_dir, "ada@cocoon.example")
    bob = _desk(client, outbox_dir, "bob@cocoon.example")
    assert post_form(client, "/desk/language", {"language": "de", "csrf_token": ada["X-CSRF-Token"]}, ada).status_code == 303
    assert _lang(_text(client.http.get("/desk/home", headers=ada))) == "de"
    assert _lang(_text(client.http.get("/desk/home", headers=bob))) == "en" and _chosen("bob@cocoon.example") is None


@pytest.mark.parametrize(
    "header", ["de;q=" + "9" * 400, "de," * 300, "\x00de", "de;q=1e999", "de;q=-1", "de-" + "x" * 200, ";;;,,,"]
)
def test_a_garbled_accept_language_never_breaks_a_desk_page(client, header):
    page = client.http.get("/desk", headers={"Accept-Language": header})
    assert page.status_code == 200
    assert _lang(_text(page)) in ("en", "de") and page.headers["Content-Language"] in ("en", "de")


def test_a_customers_markup_stays_escaped_inside_the_german_sentences(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-11-02T10:00:00+01:00")
    body = {"subject": '<img src=x onerror="alert(1)">', "description": "Error 500", "impact": "severe"}
    created = post_json(client, "/tickets", body, {**auth(verified), **now_header(DESK_NOW)})
    assert created.status_code == 201, created.body
    number = body_of(created)["number"]
    desk = _desk(client, outbox_dir, "ada@cocoon.example")
    assert post_form(client, "/desk/language", {"language": "de", "csrf_token": desk["X-CSRF-Token"]}, desk).status_code == 303
    page = _text(client.http.get(f"/desk/tickets/{number}", headers=desk))
    assert _lang(page) == "de" and f"Ticket {number}: &lt;img" in page  # the German heading, the subject escaped
    assert "<img src=x" not in page
