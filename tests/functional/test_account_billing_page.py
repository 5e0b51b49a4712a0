"""The admin's billing page (issue 16 item 2): invoices with payment state and downloads, apps, authorizers,
the export and the admin token, each through the JSON API's service."""

from __future__ import annotations

import re
from datetime import datetime

from functions import billing
from shared.storage.authorizations import authorizers
from tests.functional.account_helpers import ACCOUNT_NOW, account_sign_in, text_of
from tests.functional.helpers import ADMIN, auth, now_header, post_form

JANUARY = "2027-01-05T10:00:00+01:00"
ADDRESS = {"street": "Hauptstraße 1", "postcode": "10115", "city": "Berlin", "country": "DE", "edition": "team"}


def _get(client, cookie: str, path: str, now: str = ACCOUNT_NOW, **headers: str):
    return client.http.get(path, headers={"Cookie": cookie, **now_header(now), **headers})


def invoiced_customer(client, outbox_dir) -> tuple[str, str]:
    """The trial admin becomes a customer on 23 Nov (paid from 2 Dec); December is invoiced on 1 January."""
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    became = post_form(client, "/account/subscription/customer", {**ADDRESS, "csrf_token": csrf},
                       {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert became.status_code == 303, became.body
    billing.run(datetime.fromisoformat("2027-01-01T02:00:00+01:00"))
    return account_sign_in(client, outbox_dir, ADMIN, now=JANUARY)


def test_the_invoices_show_their_payment_state_and_download_as_xml_and_pdf(client, customer, outbox_dir):
    cookie, _ = invoiced_customer(client, outbox_dir)
    shown = text_of(_get(client, cookie, "/account/billing?lang=en", JANUARY))
    number = re.search(r"/account/invoices/([0-9-]+)\?format=xml", shown)
    assert number is not None, shown
    assert 'class="payment-open"' in shown and "€" in shown
    xml = _get(client, cookie, f"/account/invoices/{number.group(1)}?format=xml", JANUARY)
    assert xml.status_code == 200 and xml.headers["Content-Type"].startswith("application/xml")
    assert b"CrossIndustryInvoice" in (xml.body if isinstance(xml.body, bytes) else xml.body.encode())
    pdf = _get(client, cookie, f"/account/invoices/{number.group(1)}?format=pdf", JANUARY, Accept="application/pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"


def test_the_export_downloads_the_accounts_data(client, customer, outbox_dir):
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    export = _get(client, cookie, "/account/export")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    assert customer["account_id"] in text_of(export)


def test_apps_and_authorizers_are_added_and_removed(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    assert post_form(client, "/account/apps/telephony", {"csrf_token": csrf}, headers).status_code == 303
    assert "Cancel the app" in text_of(_get(client, cookie, "/account/billing?lang=en"))
    assert post_form(client, "/account/apps/telephony/cancel", {"csrf_token": csrf}, headers).status_code == 303
    assert post_form(client, "/account/apps/nosuchapp", {"csrf_token": csrf}, headers).status_code == 404
    named = post_form(client, "/account/authorizers", {"name": "Bea Boss", "email": "bea@beispiel.example",
                                                       "csrf_token": csrf}, headers)
    assert named.status_code == 303, named.body
    (person,) = authorizers(customer["account_id"])
    assert "Bea Boss" in text_of(_get(client, cookie, "/account/billing"))
    removed = post_form(client, f"/account/authorizers/{person.authorizer_id}/remove", {"csrf_token": csrf}, headers)
    assert removed.status_code == 303 and authorizers(customer["account_id"]) == []


def test_the_rotated_admin_token_is_shown_once_and_the_old_one_stops(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    rotated = post_form(client, "/account/admin-token", {"csrf_token": csrf}, headers)
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
    token = re.search(r'<code id="admin-token">([^<]+)</code>', text_of(rotated))
    assert token is not None
    account = f"/accounts/{customer['account_id']}"
    assert client.http.get(account, headers=auth(customer)).status_code == 401
    assert client.http.get(account, headers={"Authorization": f"Bearer {token.group(1)}"}).status_code == 200
    assert token.group(1) not in text_of(_get(client, cookie, "/account/billing"))
