"""The merge boundary: each test is an attacker's attempt and its refusal (nothing copied, nothing closed)."""

from __future__ import annotations

import pytest

from tests.functional.helpers import auth, body_of, desk_sign_in, now_header, post_form, post_json, signup_and_verify

NOW = "2026-11-23T12:00:00+01:00"


def _open(client, customer, text: str) -> str:
    body = {"subject": "Export fails", "description": text, "impact": "severe"}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(NOW)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def _seen(client, agent, number: str) -> dict:
    return body_of(client.http.get(f"/staff/tickets/{number}", headers=agent))


def test_a_merge_across_accounts_is_refused_and_shows_no_one_the_other_s_messages(client, outbox_dir, customer, agent):
    other = signup_and_verify(client, outbox_dir, email="mallory@andere.example")
    mine = _open(client, customer, "Our secret")
    theirs = _open(client, other, "Their ticket")
    before = (_seen(client, agent, mine), _seen(client, agent, theirs))
    answer = post_json(client, f"/staff/tickets/{mine}/merge", {"into": theirs}, {**agent, **now_header(NOW)})
    assert answer.status_code == 409 and body_of(answer)["error"]["fields"] == {"into": "other_account"}
    assert (_seen(client, agent, mine), _seen(client, agent, theirs)) == before


def test_a_merge_into_a_closed_ticket_is_refused(client, customer, agent):
    target = _open(client, customer, "Old")
    merged = _open(client, customer, "New")
    closed = post_json(client, f"/staff/tickets/{target}/state", {"state": "closed"}, {**agent, **now_header(NOW)})
    assert closed.status_code == 200, closed.body
    answer = post_json(client, f"/staff/tickets/{merged}/merge", {"into": target}, {**agent, **now_header(NOW)})
    assert answer.status_code == 409 and body_of(answer)["error"]["fields"] == {"into": "target_closed"}
    assert _seen(client, agent, merged)["state"] == "new"


def test_the_desk_merge_without_csrf_or_by_a_billing_clerk_is_refused(client, outbox_dir, customer, agent, billing_clerk):
    first, second = _open(client, customer, "One"), _open(client, customer, "Two")
    cookie, _csrf = desk_sign_in(client, outbox_dir, "alex@cocoon.example", NOW)
    forged = post_form(client, f"/desk/tickets/{second}/merge", {"into": first}, {"Cookie": cookie, **now_header(NOW)})
    assert forged.status_code == 403 and body_of(forged)["error"]["code"] == "csrf_failed"
    by_clerk = post_json(client, f"/staff/tickets/{second}/merge", {"into": first}, {**billing_clerk, **now_header(NOW)})
    assert by_clerk.status_code == 403
    assert _seen(client, agent, second)["state"] == "new"


@pytest.mark.parametrize("into", ["", "abc", "2026112310001' OR '1'='1", "9" * 40])
def test_a_malformed_target_is_refused_naming_into(client, customer, agent, into):
    number = _open(client, customer, "One")
    answer = post_json(client, f"/staff/tickets/{number}/merge", {"into": into}, {**agent, **now_header(NOW)})
    assert answer.status_code == 400 and "into" in body_of(answer)["error"]["fields"]
