"""Attacks on whom an invoice is addressed to (issue 17): the billing address and the buyer reference.

Each test is an attempt with the refusal it must meet: an invoice without the buyer's address, a
Leitweg-ID with a wrong check digit, an address with a part missing, another account's or a
non-billing staff member's write, markup smuggled into the XML through the buyer reference.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from lxml import etree

from functions import billing
from shared.storage.models import Account, CocoonItem, InvoiceDocument
from tests.functional.helpers import body_of, deliver_mail, now_header, post_json, refused, signup_fields
from tests.functional.helpers import verification_token_from_outbox as token_in

VERIFIED = "2026-01-30T09:00:00+01:00"
CONVERTED = "2026-02-10T15:00:00+01:00"
ADDRESS = {"street": "Rathausplatz 1", "postcode": "12345", "city": "Musterhausen", "country": "DE"}
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"


def sign_up(client: Any, outbox_dir: Any, email: str = "erika@beispiel.example", **fields: Any) -> tuple[str, dict]:
    assert (
        post_json(client, "/signup", signup_fields(admin_email=email, **fields), now_header(VERIFIED)).status_code
        == 202
    )
    deliver_mail(VERIFIED)
    verified = body_of(
        post_json(client, "/signup/verify", {"token": token_in(outbox_dir, email)}, now_header(VERIFIED))
    )
    return verified["account_id"], {"Authorization": f"Bearer {verified['admin_token']}"}


def put_address(client: Any, account_id: str, body: Any, headers: dict, staff: bool = False) -> Any:
    path = f"/staff/accounts/{account_id}/billing-address" if staff else f"/accounts/{account_id}/billing-address"
    return client.http.put(
        path, headers={"Content-Type": "application/json", **headers, **now_header(CONVERTED)}, body=json.dumps(body)
    )


def subscribe(client: Any, account_id: str, headers: dict) -> Any:
    return post_json(
        client, f"/accounts/{account_id}/subscription", {"edition": "team"}, {**headers, **now_header(CONVERTED)}
    )


def invoices_of(account_id: str) -> list[InvoiceDocument]:
    return [i for i in CocoonItem.query(f"ACCOUNT#{account_id}") if isinstance(i, InvoiceDocument)]


def test_a_trial_without_an_address_cannot_become_a_customer(client, outbox_dir):
    account_id, headers = sign_up(client, outbox_dir, street=None, postcode=None, city=None)
    refused(subscribe(client, account_id, headers), 422, "city")
    assert Account.get(f"ACCOUNT#{account_id}", "ACCOUNT").state == "trial"


def test_a_customer_whose_address_is_gone_gets_no_invoice_without_it(client, outbox_dir):
    account_id, headers = sign_up(client, outbox_dir)
    assert subscribe(client, account_id, headers).status_code == 200
    Account(f"ACCOUNT#{account_id}", "ACCOUNT").update(actions=[Account.postcode.remove()])
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    assert invoices_of(account_id) == []


@pytest.mark.parametrize("leitweg_id", ["04011000-1234512345-07", "991-33333TEST-34", "991-33333TSET-33"])
def test_a_leitweg_id_with_a_wrong_check_digit_is_refused_and_nothing_is_written(client, outbox_dir, leitweg_id):
    account_id, headers = sign_up(client, outbox_dir, organization_type="public_institution", vat_id=None)
    answer = put_address(client, account_id, {**ADDRESS, "buyer_reference": leitweg_id}, headers)
    refused(answer, 422, "buyer_reference")
    stored = Account.get(f"ACCOUNT#{account_id}", "ACCOUNT")
    assert (stored.street, stored.buyer_reference) == ("Hauptstraße 5", None)


def test_a_public_institution_cannot_leave_out_its_leitweg_id(client, outbox_dir):
    account_id, headers = sign_up(client, outbox_dir, organization_type="public_institution", vat_id=None)
    refused(put_address(client, account_id, ADDRESS, headers), 422, "buyer_reference")
    refused(subscribe(client, account_id, headers), 422, "buyer_reference")


@pytest.mark.parametrize("part", sorted(ADDRESS))
def test_an_address_with_a_missing_part_is_refused(client, outbox_dir, part):
    account_id, headers = sign_up(client, outbox_dir)
    refused(put_address(client, account_id, {**ADDRESS, part: ""}, headers), 400, part)
    body = {key: value for key, value in ADDRESS.items() if key != part}
    refused(put_address(client, account_id, body, headers), 400, part)


def test_another_tenant_cannot_set_an_accounts_address(client, outbox_dir):
    victim, _ = sign_up(client, outbox_dir, email="victim@beispiel.example")
    _, attacker = sign_up(client, outbox_dir, email="attacker@beispiel.example")
    assert put_address(client, victim, ADDRESS, attacker).status_code == 404
    assert Account.get(f"ACCOUNT#{victim}", "ACCOUNT").street == "Hauptstraße 5"


def test_staff_without_the_billing_role_cannot_set_an_address(client, outbox_dir, agent, staff_admin):
    account_id, _ = sign_up(client, outbox_dir)
    assert put_address(client, account_id, ADDRESS, staff_admin, staff=True).status_code == 200  # billing may
    moved = {**ADDRESS, "street": "Umzugsweg 9"}
    assert put_address(client, account_id, moved, agent, staff=True).status_code == 403
    assert Account.get(f"ACCOUNT#{account_id}", "ACCOUNT").street == ADDRESS["street"]


def test_markup_in_the_buyer_reference_stays_text_in_the_e_invoice(client, outbox_dir):
    account_id, headers = sign_up(client, outbox_dir)
    smuggled = "PO-1</ram:BuyerReference><ram:Evil>1</ram:Evil>&amp;"
    assert put_address(client, account_id, {**ADDRESS, "buyer_reference": smuggled}, headers).status_code == 200
    assert subscribe(client, account_id, headers).status_code == 200
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    [invoice] = invoices_of(account_id)
    xml = client.http.get(f"/accounts/{account_id}/invoices/{invoice.number}?format=xml", headers=headers).body
    root = etree.fromstring(xml)
    assert root.findtext(f".//{{{RAM}}}BuyerReference") == smuggled
    assert root.find(f".//{{{RAM}}}Evil") is None


def test_an_overlong_or_control_character_reference_is_refused(client, outbox_dir):
    account_id, headers = sign_up(client, outbox_dir)
    refused(put_address(client, account_id, {**ADDRESS, "buyer_reference": "x" * 101}, headers), 400, "buyer_reference")
    refused(
        put_address(client, account_id, {**ADDRESS, "buyer_reference": "PO\x00\x07"}, headers), 400, "buyer_reference"
    )
