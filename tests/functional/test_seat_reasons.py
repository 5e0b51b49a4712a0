"""The users section says, per user, whether and why they count in this month's bill (issue 16 item 2)."""

from __future__ import annotations

import re

from shared.storage.accounts import users_of
from tests.functional.account_helpers import ACCOUNT_NOW, account_sign_in, text_of
from tests.functional.helpers import ADMIN, auth, now_header, post_form, post_json

LATER = "2026-11-24T10:00:00+01:00"  # a day after the users were added


def _reason_of(page: str, email: str) -> str:
    row = next(row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if email in row)
    found = re.search(r'class="seat-([a-z_]+)"', row)
    assert found, row
    return found.group(1)


def test_each_user_shows_whether_and_why_they_count_this_month(client, customer, outbox_dir):
    headers = {**auth(customer), **now_header(ACCOUNT_NOW)}
    for email, name in (("max@beispiel.example", "Max"), ("nina@beispiel.example", "Nina")):
        added = post_json(client, f"/accounts/{customer['account_id']}/users", {"email": email, "name": name}, headers)
        assert added.status_code in (200, 201), added.body
    nina = next(user for user in users_of(customer["account_id"]) if user.email == "nina@beispiel.example")
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN, now=LATER)
    page_headers = {"Cookie": cookie, **now_header(LATER)}
    gone = post_form(client, f"/account/users/{nina.user_id}/deactivate", {"csrf_token": csrf}, page_headers)
    assert gone.status_code == 303, gone.body
    page = text_of(client.http.get("/account/subscription", headers=page_headers))
    assert _reason_of(page, "max@beispiel.example") == "active"
    assert _reason_of(page, "nina@beispiel.example") == "was_active"  # active on some days of November: it counts her
    assert "Zählt: war in diesem Monat aktiv, inzwischen deaktiviert" in page  # in the account's language
