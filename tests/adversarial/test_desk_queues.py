"""The desk's queues boundary: each test is an attacker's attempt and its refusal.

Only a live agent (or admin) desk session reads the queues; a customer's token, a billing clerk, a
forged or borrowed cursor are refused with a 4xx naming what was wrong, never a 500 or another queue.
"""

from __future__ import annotations

import base64
import json

import pytest

from tests.functional.helpers import auth, body_of, desk_member, desk_sign_in, now_header, post_json

NOW = "2026-11-23T12:00:00+01:00"


@pytest.fixture
def opened(client, customer):
    numbers = []
    for subject in ("One", "Two", "Three"):
        body = {"subject": subject, "description": "Error 500", "impact": "severe"}
        response = post_json(client, "/tickets", body, {**auth(customer), **now_header(NOW)})
        assert response.status_code == 201, response.body
        numbers.append(body_of(response)["number"])
    return numbers


def _desk(client, outbox_dir, role: str) -> dict[str, str]:
    email = f"{role}-q@cocoon.example"
    desk_member(email, role=role, name=f"{role.title()} Member")
    cookie, csrf = desk_sign_in(client, outbox_dir, email, NOW)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(NOW)}


def test_a_customer_token_never_opens_the_queues(client, customer, opened):
    answer = client.http.get("/desk/tickets?view=open", headers={**auth(customer), **now_header(NOW)})
    assert answer.status_code == 303 and answer.headers["Location"] == "/desk"
    assert all(number not in str(answer.body) for number in opened)


def test_a_billing_clerk_is_refused_the_queues(client, outbox_dir, opened):
    clerk = _desk(client, outbox_dir, "billing")
    answer = client.http.get("/desk/tickets?view=open", headers=clerk)
    assert answer.status_code == 403 and body_of(answer)["error"]["code"] == "role_not_allowed"
    assert all(number not in str(answer.body) for number in opened)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64-json!!",
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        base64.urlsafe_b64encode(json.dumps([{"pk": "ACCOUNT#x", "sk": "ACCOUNT"}] * 3).encode()).decode(),
        # A position in another partition (the account's own item as the start key of a state queue).
        base64.urlsafe_b64encode(
            json.dumps([{"pk": "ACCOUNT#x", "sk": "ACCOUNT", "open_queue": "OPEN#USA", "queue_due": "0"}] * 3).encode()
        ).decode(),
    ],
)
def test_a_forged_cursor_is_refused_naming_the_cursor(client, outbox_dir, opened, cursor):
    agent = _desk(client, outbox_dir, "agent")
    answer = client.http.get(f"/desk/tickets?view=open&cursor={cursor}", headers=agent)
    assert answer.status_code == 400, answer.body
    assert "cursor" in body_of(answer)["error"]["fields"]


def test_a_cursor_of_the_open_view_is_refused_by_mine(client, outbox_dir, opened):
    from datetime import datetime

    from shared.policy import get_policy
    from shared.rules.support.queues import View
    from shared.services.support.queues import BadCursor, queue_page

    base = get_policy()
    policy = base.model_copy(update={"support": base.support.model_copy(update={"desk_page_size": 1})})
    page = queue_page(View.OPEN, "nobody", datetime.fromisoformat(NOW), policy)
    assert page.next_cursor
    with pytest.raises(BadCursor):
        queue_page(View.MINE, "nobody", datetime.fromisoformat(NOW), policy, cursor=page.next_cursor)


@pytest.mark.parametrize("query", ["view=everything", "priority=critical", "region=MARS"])
def test_an_unknown_view_priority_or_region_is_refused_naming_it(client, outbox_dir, query):
    agent = _desk(client, outbox_dir, "agent")
    answer = client.http.get(f"/desk/tickets?{query}", headers=agent)
    assert answer.status_code == 400 and query.split("=")[0] in body_of(answer)["error"]["fields"]
