"""Merging two tickets against DynamoDB Local: the JSON route and the desk form, the same service."""

from __future__ import annotations

import pytest

from tests.functional.helpers import auth, body_of, desk_sign_in, now_header, post_form, post_json

NOW = "2026-11-23T12:00:00+01:00"


def _open(client, customer, subject: str, text: str) -> str:
    body = {"subject": subject, "description": text, "impact": "severe"}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(NOW)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


@pytest.fixture
def two(client, customer):
    return _open(client, customer, "Export fails", "First report"), _open(client, customer, "Export again", "Second")


def test_the_json_route_moves_the_messages_and_closes_the_merged_ticket(client, agent, two):
    first, second = two
    merged = post_json(client, f"/staff/tickets/{second}/merge", {"into": first}, {**agent, **now_header(NOW)})
    assert merged.status_code == 200, merged.body
    target = body_of(merged)
    assert target["number"] == first
    texts = [m["text"] for m in target["messages"]]
    assert "First report" in texts and "Second" in texts and any(second in t for t in texts)
    closed = body_of(client.http.get(f"/staff/tickets/{second}", headers=agent))
    assert closed["state"] == "closed"
    again = post_json(client, f"/staff/tickets/{second}/merge", {"into": first}, {**agent, **now_header(NOW)})
    assert again.status_code == 409  # closed now: a double click copies nothing twice
    assert len(body_of(client.http.get(f"/staff/tickets/{first}", headers=agent))["messages"]) == len(texts)


def test_the_desk_form_merges_and_answers_303_to_the_target(client, outbox_dir, agent, two):
    first, second = two
    cookie, csrf = desk_sign_in(client, outbox_dir, "alex@cocoon.example", NOW)
    desk = {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(NOW)}
    answer = post_form(client, f"/desk/tickets/{second}/merge", {"into": first, "csrf_token": csrf}, desk)
    assert answer.status_code == 303 and answer.headers["Location"] == f"/desk/tickets/{first}?done=merged"
    page = client.http.get(f"/desk/tickets/{second}", headers=desk)
    assert f'href="/desk/tickets/{first}"' in page.body.decode()
    queue = client.http.get("/desk/tickets?view=open", headers=desk).body.decode()
    assert f">{first}<" in queue and f">{second}<" not in queue
