"""The subscription page's actions (issue 16 round 2): each test is an attacker's attempt and its refusal."""

from __future__ import annotations

from datetime import datetime

import pytest

from shared.storage.accounts import get_account, users_of
from tests.functional.account_helpers import ACCOUNT_NOW, account_sign_in
from tests.functional.helpers import ADMIN, auth, body_of, now_header, post_form, post_json, signup_and_verify

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
    assert answer.status_code == 403 and "admin_only" in str(answer.body), answer.body  # our refusal, not "no route"
    assert _facts(customer["account_id"]) == before


def test_a_contact_cannot_deactivate_a_colleague_nor_see_a_preview(client, customer, outbox_dir):
    _add_user(client, customer)
    _add_user(client, customer, "nina@beispiel.example")
    nina = next(user for user in users_of(customer["account_id"]) if user.email == "nina@beispiel.example")
    cookie, csrf = account_sign_in(client, outbox_dir, MAX)
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    answer = post_form(client, f"/account/users/{nina.user_id}/deactivate", {"csrf_token": csrf}, headers)
    assert answer.status_code == 403 and "admin_only" in str(answer.body)
    assert next(u for u in users_of(customer["account_id"]) if u.user_id == nina.user_id).active
    for path in ("/account/subscription/cancellation", "/account/subscription/edition?edition=basic"):
        preview = client.http.get(path, headers=headers)
        assert preview.status_code == 403 and "admin_only" in str(preview.body)


@pytest.mark.parametrize(("path", "fields"), ADMIN_POSTS)
def test_a_forged_post_without_the_sessions_csrf_token_changes_nothing(client, customer, outbox_dir, path, fields):
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    before = _facts(customer["account_id"])
    for token in ({}, {"csrf_token": "forged-token"}):
        answer = post_form(client, path, {**fields, **token}, {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
        assert answer.status_code == 403 and "csrf" in str(answer.body), answer.body
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


SETTINGS_POSTS = [
    ("/account/apps/telephony", {}),
    ("/account/authorizers", {"name": "Mallory", "email": "mallory@evil.example"}),
    ("/account/admin-token", {}),
]


def _settings(account_id: str) -> tuple[object, ...]:
    from shared.storage.apps import current_subscription
    from shared.storage.authorizations import authorizers

    account = get_account(account_id)
    assert account is not None
    held = current_subscription(account_id, "telephony", datetime.fromisoformat(ACCOUNT_NOW))
    return tuple(sorted(account.token_hashes or [])), held is not None, len(authorizers(account_id))


@pytest.mark.parametrize(("path", "fields"), SETTINGS_POSTS)
def test_a_contact_cannot_add_apps_authorizers_nor_rotate_the_token(client, customer, outbox_dir, path, fields):
    _add_user(client, customer)
    cookie, csrf = account_sign_in(client, outbox_dir, MAX)
    before = _settings(customer["account_id"])
    answer = post_form(client, path, {**fields, "csrf_token": csrf}, {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert answer.status_code == 403 and "admin_only" in str(answer.body) and "admin-token" not in str(answer.body)
    assert _settings(customer["account_id"]) == before


@pytest.mark.parametrize(("path", "fields"), SETTINGS_POSTS)
def test_a_forged_settings_post_changes_nothing(client, customer, outbox_dir, path, fields):
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    before = _settings(customer["account_id"])
    answer = post_form(client, path, {**fields, "csrf_token": "forged"}, {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert answer.status_code == 403 and "csrf_failed" in str(answer.body)
    assert _settings(customer["account_id"]) == before


def test_a_contact_downloads_no_invoice_and_no_export(client, customer, outbox_dir):
    _add_user(client, customer)
    cookie, _ = account_sign_in(client, outbox_dir, MAX)
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    for path in ("/account/billing", "/account/export", "/account/invoices/2026-000001?format=xml"):
        answer = client.http.get(path, headers=headers)
        assert answer.status_code == 403 and "admin_only" in str(answer.body), path


def test_another_accounts_invoice_by_number_is_not_found(client, customer, outbox_dir):
    from functions import billing

    other = signup_and_verify(client, outbox_dir, email="olga@anders.example", now="2026-11-02T10:00:00+01:00")
    became = post_json(client, f"/accounts/{other['account_id']}/subscription", {"edition": "team"},
                       {**auth(other), **now_header(ACCOUNT_NOW)})
    assert became.status_code == 200, became.body
    billing.run(datetime.fromisoformat("2027-01-01T02:00:00+01:00"))
    theirs = client.http.get(f"/accounts/{other['account_id']}/invoices", headers=auth(other))
    (number,) = [invoice["number"] for invoice in body_of(theirs)["invoices"]]
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN, now="2027-01-05T10:00:00+01:00")
    for wanted in ("xml", "json"):
        answer = client.http.get(f"/account/invoices/{number}?format={wanted}",
                                 headers={"Cookie": cookie, **now_header("2027-01-05T10:00:00+01:00")})
        assert answer.status_code == 404 and number not in str(answer.body)


def test_the_admin_cannot_remove_another_accounts_authorizer(client, customer, outbox_dir):
    from shared.storage.authorizations import authorizers

    other = signup_and_verify(client, outbox_dir, email="olga@anders.example", now="2026-11-02T10:00:00+01:00")
    named = post_json(client, f"/accounts/{other['account_id']}/authorizers",
                      {"name": "Olgas Boss", "email": "boss@anders.example"}, {**auth(other), **now_header(ACCOUNT_NOW)})
    assert named.status_code == 201, named.body
    (person,) = authorizers(other["account_id"])
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    answer = post_form(client, f"/account/authorizers/{person.authorizer_id}/remove", {"csrf_token": csrf},
                       {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert answer.status_code == 404 and len(authorizers(other["account_id"])) == 1


def test_a_contact_cannot_file_a_request_in_a_colleagues_name(client, customer, outbox_dir):
    from shared.storage.customer_pages import account_tickets

    _add_user(client, customer)
    cookie, csrf = account_sign_in(client, outbox_dir, MAX)
    fields = {"description": "Please delete all users", "email": ADMIN, "csrf_token": csrf}
    opened = post_form(client, "/account/tickets", fields, {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert opened.status_code == 303, opened.body
    (ticket,) = account_tickets(customer["account_id"])
    max_ = next(user for user in users_of(customer["account_id"]) if user.email == MAX)
    assert ticket.requester_user_id == max_.user_id


def test_a_forged_new_request_opens_no_ticket(client, customer, outbox_dir):
    from shared.storage.customer_pages import account_tickets

    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    forged = post_form(client, "/account/tickets", {"description": "forged", "csrf_token": "forged"},
                       {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert forged.status_code == 403 and account_tickets(customer["account_id"]) == []


def test_an_open_ticket_or_another_accounts_ticket_cannot_be_rated(client, customer, outbox_dir):
    from shared.storage.models import Ticket

    other = signup_and_verify(client, outbox_dir, email="olga@anders.example", now="2026-11-02T10:00:00+01:00")
    opened = {}
    for who in (customer, other):
        made = post_json(client, "/tickets", {"subject": "Export", "description": "fails", "impact": "severe"},
                         {**auth(who), **now_header(ACCOUNT_NOW)})
        assert made.status_code == 201, made.body
        opened[who["account_id"]] = body_of(made)["number"]
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    for account_id, number in opened.items():
        answer = post_form(client, f"/account/tickets/{number}/rating", {"rating": "bad", "csrf_token": csrf}, headers)
        assert answer.status_code == (409 if account_id == customer["account_id"] else 404)
        assert Ticket.get(f"ACCOUNT#{account_id}", f"TICKET#{number}").rating is None


def _support_token(client, account, email: str | None = None, now: str = ACCOUNT_NOW) -> str:
    from urllib.parse import parse_qs, urlparse

    asked = post_json(client, f"/accounts/{account['account_id']}/support-link", {"email": email} if email else {},
                      {**auth(account), **now_header(now)})
    assert asked.status_code == 201, asked.body
    return parse_qs(urlparse(body_of(asked)["url"]).query)["token"][0]


def test_a_support_deep_link_opens_once_and_never_late(client, customer, outbox_dir):
    token = _support_token(client, customer)
    first = post_form(client, "/account/sign-in/confirm", {"token": token}, now_header(ACCOUNT_NOW))
    assert first.status_code == 303
    again = post_form(client, "/account/sign-in/confirm", {"token": token}, now_header(ACCOUNT_NOW))
    assert again.status_code in (404, 409, 410) and "Set-Cookie" not in again.headers
    late_token = _support_token(client, customer)
    late = post_form(client, "/account/sign-in/confirm", {"token": late_token}, now_header("2026-11-23T10:06:00+01:00"))
    assert late.status_code == 410 and "Set-Cookie" not in late.headers


def test_a_support_link_for_another_accounts_contact_is_refused(client, customer, outbox_dir):
    signup_and_verify(client, outbox_dir, email="olga@anders.example", now="2026-11-02T10:00:00+01:00")
    asked = post_json(client, f"/accounts/{customer['account_id']}/support-link", {"email": "olga@anders.example"},
                      {**auth(customer), **now_header(ACCOUNT_NOW)})
    assert asked.status_code == 400 and "url" not in body_of(asked)
