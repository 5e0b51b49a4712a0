"""The in-app "Support" deep link (issue 16 item 3): opens the account pages for one contact, once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.functional.account_helpers import ACCOUNT_NOW, text_of
from tests.functional.helpers import auth, body_of, desk_cookie_of, now_header, post_form, post_json


def support_token(client, customer, email: str | None = None, now: str = ACCOUNT_NOW) -> str:
    asked = post_json(client, f"/accounts/{customer['account_id']}/support-link", {"email": email} if email else {},
                      {**auth(customer), **now_header(now)})
    assert asked.status_code == 201, asked.body
    return parse_qs(urlparse(body_of(asked)["url"]).query)["token"][0]


def test_the_support_button_opens_the_admins_pages_in_a_normal_session(client, customer):
    token = support_token(client, customer)
    opened = post_form(client, "/account/sign-in/confirm", {"token": token}, now_header(ACCOUNT_NOW))
    assert opened.status_code == 303, opened.body
    cookie = desk_cookie_of(opened)
    later = client.http.get("/account/tickets?lang=en", headers={"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert later.status_code == 200 and "My tickets" in text_of(later)
