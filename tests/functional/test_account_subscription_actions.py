"""The subscription page's actions (issue 16 item 2): through the JSON API's services, previews before confirming."""

from __future__ import annotations

import re

from shared.storage.accounts import get_account, users_of
from tests.functional.account_helpers import ACCOUNT_NOW, account_sign_in, text_of
from tests.functional.helpers import ADMIN, now_header, post_form

ADDRESS = {"street": "Hauptstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE"}


def _page(client, cookie: str, path: str, now: str = ACCOUNT_NOW):
    return client.http.get(path, headers={"Cookie": cookie, **now_header(now)})


def _post(client, cookie: str, path: str, fields: dict[str, str], now: str = ACCOUNT_NOW):
    return post_form(client, path, fields, {"Cookie": cookie, **now_header(now)})


def become_customer(client, cookie: str, csrf: str, edition: str = "team") -> None:
    done = _post(client, cookie, "/account/subscription/customer", {**ADDRESS, "edition": edition, "csrf_token": csrf})
    assert done.status_code == 303, done.body


def test_the_trial_admin_becomes_a_customer_with_the_edition_and_the_address(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    form = text_of(_page(client, cookie, "/account/subscription?lang=en"))
    assert "Become a customer" in form and 'name="street"' in form
    become_customer(client, cookie, csrf)
    account = get_account(customer["account_id"])
    assert account is not None and account.state == "customer" and account.edition == "team"
    assert account.paid_from == "2026-12-02"  # the trial's free days are kept
    shown = text_of(_page(client, cookie, "/account/subscription?lang=en"))
    assert "Become a customer" not in shown and "Change edition" in shown


def test_an_incomplete_address_is_refused_naming_the_field_and_nothing_changes(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    fields = {**ADDRESS, "street": "", "edition": "team", "csrf_token": csrf}
    refused = _post(client, cookie, "/account/subscription/customer", fields)
    assert refused.status_code == 400 and "street" in text_of(refused)
    account = get_account(customer["account_id"])
    assert account is not None and account.state == "trial"


def test_a_downgrade_shows_the_first_of_next_month_before_confirming_an_upgrade_now(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    become_customer(client, cookie, csrf, "team")
    down = text_of(_page(client, cookie, "/account/subscription/edition?edition=basic&lang=en"))
    assert "applies from December 1, 2026" in down
    up = text_of(_page(client, cookie, "/account/subscription/edition?edition=business&lang=en"))
    assert "applies at once" in up
    assert get_account(customer["account_id"]).edition == "team"  # a preview changes nothing
    confirmed = _post(client, cookie, "/account/subscription/edition",
                      {"edition": "basic", "applies_on": "2026-12-01", "csrf_token": csrf})
    assert confirmed.status_code == 303, confirmed.body
    account = get_account(customer["account_id"])
    assert account.pending_edition == "basic" and account.edition == "team"


def test_a_confirmation_of_a_day_not_shown_is_refused(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    become_customer(client, cookie, csrf, "team")
    stale = _post(client, cookie, "/account/subscription/edition",
                  {"edition": "basic", "applies_on": "2026-11-23", "csrf_token": csrf})
    assert stale.status_code == 409 and "preview_outdated" in text_of(stale)
    assert get_account(customer["account_id"]).pending_edition is None


def test_the_admin_adds_and_deactivates_a_user(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    added = _post(client, cookie, "/account/users", {"email": "max@beispiel.example", "name": "Max", "csrf_token": csrf})
    assert added.status_code == 303, added.body
    max_ = next(user for user in users_of(customer["account_id"]) if user.email == "max@beispiel.example")
    assert max_.active and "Max" in text_of(_page(client, cookie, "/account/subscription"))
    gone = _post(client, cookie, f"/account/users/{max_.user_id}/deactivate", {"csrf_token": csrf})
    assert gone.status_code == 303, gone.body
    assert not next(u for u in users_of(customer["account_id"]) if u.user_id == max_.user_id).active


def test_cancelling_after_the_deadline_shows_the_end_of_next_month_before_confirming(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    become_customer(client, cookie, csrf)
    preview = text_of(_page(client, cookie, "/account/subscription/cancellation?lang=en"))
    assert "your contract ends on December 31, 2026" in preview  # 23 Nov is past November's last day of receipt
    assert get_account(customer["account_id"]).cancellation is None
    shown_day = re.search(r'name="effective_on" value="([0-9-]+)"', preview)
    assert shown_day is not None
    done = _post(client, cookie, "/account/subscription/cancellation",
                 {"effective_on": shown_day.group(1), "csrf_token": csrf})
    assert done.status_code == 303, done.body
    assert get_account(customer["account_id"]).cancellation.effective_on == "2026-12-31"
    assert "December 31, 2026" in text_of(_page(client, cookie, "/account/subscription?lang=en"))
    withdrawn = _post(client, cookie, "/account/subscription/cancellation/withdraw", {"csrf_token": csrf})
    assert withdrawn.status_code == 303, withdrawn.body
    assert get_account(customer["account_id"]).cancellation is None


def test_a_trial_has_nothing_to_cancel(client, customer, outbox_dir):
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    assert _page(client, cookie, "/account/subscription/cancellation").status_code == 409
