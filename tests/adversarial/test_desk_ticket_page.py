"""The desk's ticket page boundary: each test is an attacker's attempt and its refusal.

A forged post (no CSRF token), a billing clerk or a customer acting on a ticket, or a ticket given to
someone who works no tickets: refused, and the ticket is as it was.
"""

from __future__ import annotations

import pytest

from tests.functional.helpers import auth, body_of, desk_member, desk_sign_in, now_header, post_form, post_json

NOW = "2026-11-23T12:00:00+01:00"
FORMS = [
    ("replies", {"text": "Mallory was here"}),
    ("notes", {"text": "Mallory was here"}),
    ("assign", {"staff_id": ""}),
    ("priority", {"priority": "low"}),
    ("state", {"state": "solved"}),
    ("time", {"hours": "9", "description": "Mallory was here"}),
    ("development", {"kind": "bug", "reference": "MAL-1"}),
]


@pytest.fixture
def number(client, customer) -> str:
    body = {"subject": "Export fails", "description": "Error 500", "impact": "severe"}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(NOW)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def _desk(client, outbox_dir, role: str) -> dict[str, str]:
    email = f"{role}-t@cocoon.example"
    desk_member(email, role=role, name=f"{role.title()} Member")
    cookie, csrf = desk_sign_in(client, outbox_dir, email, NOW)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(NOW)}


def _as_staff_sees(client, agent, number: str) -> dict:
    return body_of(client.http.get(f"/staff/tickets/{number}", headers=agent))


@pytest.mark.parametrize(("action", "fields"), FORMS)
def test_every_ticket_form_without_the_csrf_token_is_refused_and_changes_nothing(
    client, outbox_dir, number, agent, action, fields
):
    desk = _desk(client, outbox_dir, "agent")
    before = _as_staff_sees(client, agent, number)
    no_token = {key: value for key, value in desk.items() if key != "X-CSRF-Token"}
    answer = post_form(client, f"/desk/tickets/{number}/{action}", fields, no_token)
    assert answer.status_code == 403 and body_of(answer)["error"]["code"] == "csrf_failed"
    wrong = post_form(client, f"/desk/tickets/{number}/{action}", {**fields, "csrf_token": "A" * 43}, no_token)
    assert wrong.status_code == 403
    assert _as_staff_sees(client, agent, number) == before


@pytest.mark.parametrize(("action", "fields"), FORMS)
def test_a_billing_clerk_cannot_work_a_ticket(client, outbox_dir, number, agent, action, fields):
    clerk = _desk(client, outbox_dir, "billing")
    before = _as_staff_sees(client, agent, number)
    answer = post_form(client, f"/desk/tickets/{number}/{action}", {**fields, "csrf_token": clerk["X-CSRF-Token"]}, clerk)
    assert answer.status_code == 403 and body_of(answer)["error"]["code"] == "role_not_allowed"
    assert _as_staff_sees(client, agent, number) == before
    assert client.http.get(f"/desk/tickets/{number}", headers=clerk).status_code == 403


def test_a_customer_token_or_cookie_never_opens_or_changes_the_ticket_page(client, customer, number, agent):
    headers = {**auth(customer), **now_header(NOW)}
    page = client.http.get(f"/desk/tickets/{number}", headers=headers)
    assert page.status_code == 303 and page.headers["Location"] == "/desk"
    before = _as_staff_sees(client, agent, number)
    posted = post_form(client, f"/desk/tickets/{number}/notes", {"text": "x", "csrf_token": "x"}, headers)
    assert posted.status_code == 401
    forged = {"Cookie": "__Host-cocoon_desk=" + "A" * 43, **now_header(NOW)}
    assert client.http.get(f"/desk/tickets/{number}", headers=forged).status_code == 303
    assert _as_staff_sees(client, agent, number) == before


def test_a_ticket_is_never_given_to_a_billing_clerk(client, outbox_dir, number, agent):
    clerk_id = desk_member("bea-t@cocoon.example", role="billing", name="Bea Billing")
    desk = _desk(client, outbox_dir, "agent")
    answer = post_form(
        client, f"/desk/tickets/{number}/assign", {"staff_id": clerk_id, "csrf_token": desk["X-CSRF-Token"]}, desk
    )
    assert answer.status_code == 400 and "staff_id" in body_of(answer)["error"]["fields"]
    assert _as_staff_sees(client, agent, number)["assignee"] is None
