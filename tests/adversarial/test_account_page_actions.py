"""The subscription page's actions (issue 16 round 2): each test is an attacker's attempt and its refusal."""

from __future__ import annotations

import pytest

from shared.storage.accounts import get_account, users_of
from tests.functional.account_helpers import ACCOUNT_NOW, account_sign_in
from tests.functional.helpers import ADMIN, auth, now_header, post_form, post_json, signup_and_verify

MAX = "max@beispiel.example"
ADDRESS = {"street": "Hauptstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE", "edition": "team"}
ADMIN_POSTS = [
    ("/account/subscription/customer", ADDRESS),
    ("/account/subscription/edition", {"edition": "basic", "applies_on": "2026-12-01"}),
    ("/account/users", {"email": "mallory@evil.example", "name": "Mallory"}),
    ("/account/subscription/cancellation", {"effective_on": "2026-12-31"}),
    ("/account/subscription/cancellation/withdraw", {}),
]


def _add_user(client, customer, email: str = MAX) -> None:
    added = post_json(client, f"/accounts/{customer['account_id']}/users", {"email": email, "name": "Max"},
                      {**auth(customer), **now_header(ACCOUNT_NOW)})
    assert added.status_code in (200, 201), added.body


def _facts(account_id: str) -> tuple[object, ...]:
    account = get_account(account_id)
    assert account is not None
    users = sorted((user.email, bool(user.active)) for user in users_of(account_id))
    return account.state, account.edition, account.pending_edition, account.cancellation, tuple(users)


@pytest.mark.parametrize(("path", "fields"), ADMIN_POSTS)
def test_a_contact_who_is_not_the_admin_cannot_act_on_the_subscription(client, customer, outbox_dir, path, fields):
    _add_user(client, customer)
    cookie, csrf = account_sign_in(client, outbox_dir, MAX)
    before = _facts(customer["account_id"])
    answer = post_form(client, path, {**fields, "csrf_token": csrf}, {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert answer.status_code == 403, answer.body
    assert _facts(customer["account_id"]) == before


def test_a_contact_cannot_deactivate_a_colleague_nor_see_a_preview(client, customer, outbox_dir):
    _add_user(client, customer)
    _add_user(client, customer, "nina@beispiel.example")
    nina = next(user for user in users_of(customer["account_id"]) if user.email == "nina@beispiel.example")
    cookie, csrf = account_sign_in(client, outbox_dir, MAX)
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    answer = post_form(client, f"/account/users/{nina.user_id}/deactivate", {"csrf_token": csrf}, headers)
    assert answer.status_code == 403
    assert next(u for u in users_of(customer["account_id"]) if u.user_id == nina.user_id).active
    assert client.http.get("/account/subscription/cancellation", headers=headers).status_code == 403
    assert client.http.get("/account/subscription/edition?edition=basic", headers=headers).status_code == 403


@pytest.mark.parametrize(("path", "fields"), ADMIN_POSTS)
def test_a_forged_post_without_the_sessions_csrf_token_changes_nothing(client, customer, outbox_dir, path, fields):
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    before = _facts(customer["account_id"])
    for token in ({}, {"csrf_token": "forged-token"}):
        answer = post_form(client, path, {**fields, **token}, {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
        assert answer.status_code == 403, answer.body
    assert _facts(customer["account_id"]) == before


def test_the_admin_cannot_deactivate_another_accounts_user_by_id(client, customer, outbox_dir):
    other = signup_and_verify(client, outbox_dir, email="olga@anders.example", now="2026-11-02T10:00:00+01:00")
    _add_user(client, other, "otto@anders.example")
    otto = next(user for user in users_of(other["account_id"]) if user.email == "otto@anders.example")
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    answer = post_form(client, f"/account/users/{otto.user_id}/deactivate", {"csrf_token": csrf},
                       {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert answer.status_code == 404
    assert next(u for u in users_of(other["account_id"]) if u.user_id == otto.user_id).active


def test_a_cancellation_confirmed_with_a_day_the_preview_never_showed_is_refused(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    assert post_form(client, "/account/subscription/customer", {**ADDRESS, "csrf_token": csrf}, headers).status_code == 303
    early = post_form(client, "/account/subscription/cancellation", {"effective_on": "2026-11-30", "csrf_token": csrf},
                      headers)
    assert early.status_code == 409
    assert get_account(customer["account_id"]).cancellation is None
