"""The desk's account search and account page boundary: each test is an attacker's attempt and its refusal.

Staff see every account by design (any role may search); what must never happen: a customer's token or a
stranger reaches the search or an account page, a role does what it may not, a forged post acts, or a
crafted term reads another index than the one its shape names.
"""

from __future__ import annotations

from datetime import datetime

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

DESK = now_header(DESK_NOW)


@pytest.fixture
def customer(client, outbox_dir):
    return signup_and_verify(client, outbox_dir)


def _desk(client, outbox_dir, role: str) -> dict[str, str]:
    email = f"{role}@cocoon.example"
    desk_member(email, role=role, name=f"{role.title()} Member")
    cookie, csrf = desk_sign_in(client, outbox_dir, email)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **DESK}


def test_a_customer_token_never_reaches_the_search_json_route(client, customer):
    answer = post_json(client, "/staff/accounts/search", {"query": "Beispiel"}, auth(customer))
    assert answer.status_code in (401, 403), answer.body
    assert customer["account_id"] not in str(answer.body)


@pytest.mark.parametrize("path", ["/desk/accounts", "/desk/accounts/{id}", "/desk/accounts/{id}/invoices/2026-000001"])
def test_a_customer_token_never_opens_a_desk_page(client, customer, path):
    answer = client.http.get(path.format(id=customer["account_id"]), headers={**auth(customer), **DESK})
    assert answer.status_code == 303 and answer.headers["Location"] == "/desk"


def test_a_customer_token_never_searches_at_the_desk(client, customer):
    answer = post_form(client, "/desk/accounts/search", {"query": "Beispiel"}, {**auth(customer), **DESK})
    assert answer.status_code == 401 and customer["account_id"] not in str(answer.body)


def test_a_forged_desk_cookie_never_opens_an_account_page(client, customer):
    forged = {"Cookie": "__Host-cocoon_desk=" + "A" * 43, **DESK}
    assert client.http.get(f"/desk/accounts/{customer['account_id']}", headers=forged).status_code == 303


def test_a_billing_clerk_cannot_do_admin_actions(client, outbox_dir, customer):
    clerk = _desk(client, outbox_dir, "billing")
    added = post_form(
        client,
        "/desk/staff",
        {"name": "Mallory", "email": "mallory@cocoon.example", "role": "admin", "csrf_token": clerk["X-CSRF-Token"]},
        clerk,
    )
    assert added.status_code == 403
    assert client.http.get("/desk/staff", headers=clerk).status_code == 403


def test_a_billing_clerk_cannot_lift_a_suppression_and_an_agent_cannot_reactivate(client, outbox_dir, customer):
    from shared.storage.suppressions import suppress, suppression_of

    suppress("erika@beispiel.example", "hard bounce 5.1.1", datetime.fromisoformat(DESK_NOW), source="ses-bounce")
    clerk = _desk(client, outbox_dir, "billing")
    account = customer["account_id"]
    lifted = post_form(
        client,
        f"/desk/accounts/{account}/suppressions/lift",
        {"email": "erika@beispiel.example", "csrf_token": clerk["X-CSRF-Token"]},
        clerk,
    )
    assert lifted.status_code == 403 and suppression_of("erika@beispiel.example") is not None
    agent = _desk(client, outbox_dir, "agent")
    revived = post_form(
        client, f"/desk/accounts/{account}/reactivate", {"edition": "team", "csrf_token": agent["X-CSRF-Token"]}, agent
    )
    assert revived.status_code == 403


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("suppressions/lift", {"email": "erika@beispiel.example"}),
        ("cancellation", {"received_on": "2026-11-20", "channel": "letter"}),
        ("reactivate", {"edition": "team"}),
    ],
)
def test_every_account_action_without_the_csrf_token_is_refused_and_changes_nothing(
    client, outbox_dir, customer, action, fields
):
    from shared.storage.accounts import get_account
    from shared.storage.suppressions import suppress, suppression_of

    suppress("erika@beispiel.example", "hard bounce 5.1.1", datetime.fromisoformat(DESK_NOW), source="ses-bounce")
    admin = _desk(client, outbox_dir, "admin")
    cookie_only = {"Cookie": admin["Cookie"], **DESK}  # a cross-site form carries the cookie, never the token
    for headers, form in ((cookie_only, fields), (cookie_only, {**fields, "csrf_token": "x" * 43})):
        answer = post_form(client, f"/desk/accounts/{customer['account_id']}/{action}", form, headers)
        assert answer.status_code == 403 and body_of(answer)["error"]["code"] == "csrf_failed"
    assert suppression_of("erika@beispiel.example") is not None
    assert get_account(customer["account_id"]).cancellation is None


def test_the_search_box_needs_the_csrf_token_too(client, outbox_dir, customer):
    agent = _desk(client, outbox_dir, "agent")
    answer = post_form(client, "/desk/accounts/search", {"query": "Beispiel"}, {"Cookie": agent["Cookie"], **DESK})
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "term", ["*", "%", "#", "SEARCH#NAME#b", "NAME#", "CONTACT#", "\u0000", "' OR 1=1 --", "TICKET#", "\u200b"]
)
def test_a_crafted_term_never_lists_accounts_it_does_not_name(client, outbox_dir, customer, term):
    agent = _desk(client, outbox_dir, "agent")
    answer = post_form(client, "/desk/accounts/search", {"query": term, "csrf_token": agent["X-CSRF-Token"]}, agent)
    assert answer.status_code in (200, 400)
    assert customer["account_id"] not in answer.body.decode()


def test_the_staff_history_never_reaches_the_customer(client, outbox_dir, customer):
    from shared.storage.suppressions import suppress

    suppress("erika@beispiel.example", "hard bounce 5.1.1", datetime.fromisoformat(DESK_NOW), source="ses-bounce")
    agent = _desk(client, outbox_dir, "agent")
    lifted = post_form(
        client,
        f"/desk/accounts/{customer['account_id']}/suppressions/lift",
        {"email": "erika@beispiel.example", "csrf_token": agent["X-CSRF-Token"]},
        agent,
    )
    assert lifted.status_code == 303
    export = body_of(client.http.get(f"/accounts/{customer['account_id']}/export", headers=auth(customer)))
    assert not [item for item in export["items"] if item["type"] in ("staff_action", "search_entry")]
    assert "staff_" not in str(export["items"])
