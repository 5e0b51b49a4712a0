"""Billing address and buyer reference (issue 17): required to become a customer, billing waits for it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from functions import billing
from shared.storage.models import Account, CocoonItem, InvoiceDocument
from tests.functional.helpers import (
    body_of,
    deliver_mail,
    mails,
    now_header,
    post_json,
    refused,
    run_job,
    signup_fields,
    verification_token_from_outbox,
)

VERIFIED = "2026-01-30T09:00:00+01:00"
CONVERTED = "2026-02-10T15:00:00+01:00"
LEITWEG_ID = "04011000-1234512345-06"
ADDRESS = {"street": "Rathausplatz 1", "postcode": "12345", "city": "Musterhausen", "country": "DE"}


def sign_up(client: Any, outbox_dir: Any, email: str = "erika@beispiel.example", **fields: Any) -> tuple[str, dict]:
    response = post_json(client, "/signup", signup_fields(admin_email=email, **fields), now_header(VERIFIED))
    assert response.status_code == 202, response.body
    deliver_mail(VERIFIED)
    token = verification_token_from_outbox(outbox_dir, email)
    verified = body_of(post_json(client, "/signup/verify", {"token": token}, now_header(VERIFIED)))
    return verified["account_id"], {"Authorization": f"Bearer {verified['admin_token']}"}


def subscribe(client: Any, account_id: str, headers: dict, moment: str = CONVERTED) -> Any:
    return post_json(
        client, f"/accounts/{account_id}/subscription", {"edition": "team"}, {**headers, **now_header(moment)}
    )


def put_address(client: Any, path: str, body: dict, headers: dict, moment: str = CONVERTED) -> Any:
    return client.http.put(
        path, headers={"Content-Type": "application/json", **headers, **now_header(moment)}, body=json.dumps(body)
    )


def invoices_of(account_id: str) -> list[InvoiceDocument]:
    return [i for i in CocoonItem.query(f"ACCOUNT#{account_id}") if isinstance(i, InvoiceDocument)]


def test_a_trial_without_an_address_cannot_become_a_customer_until_it_gives_one(client, outbox_dir):
    account_id, headers = sign_up(client, outbox_dir, street=None, postcode=None, city=None)
    error = refused(subscribe(client, account_id, headers), 422, "street")
    assert set(error["fields"]) == {"street", "postcode", "city"}
    assert Account.get(f"ACCOUNT#{account_id}", "ACCOUNT").state == "trial"  # nothing half-written
    answer = put_address(
        client, f"/accounts/{account_id}/billing-address", {**ADDRESS, "buyer_reference": "PO-4711"}, headers
    )
    assert answer.status_code == 200, answer.body
    assert body_of(answer)["buyer_reference"] == "PO-4711"
    assert subscribe(client, account_id, headers).status_code == 200
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    [invoice] = invoices_of(account_id)
    assert invoice.document["buyer"]["reference"] == "PO-4711"
    xml = client.http.get(f"/accounts/{account_id}/invoices/{invoice.number}?format=xml", headers=headers)
    assert b"<ram:BuyerReference>PO-4711</ram:BuyerReference>" in xml.body


def test_an_address_with_a_missing_part_is_refused_naming_it(client, outbox_dir):
    account_id, headers = sign_up(client, outbox_dir)
    for missing in ADDRESS:
        body = {key: value for key, value in ADDRESS.items() if key != missing}
        refused(put_address(client, f"/accounts/{account_id}/billing-address", body, headers), 400, missing)
        refused(
            put_address(client, f"/accounts/{account_id}/billing-address", {**body, missing: "  "}, headers),
            400,
            missing,
        )


def test_a_public_institution_needs_a_valid_leitweg_id_and_gets_xrechnung(client, outbox_dir):
    account_id, headers = sign_up(client, outbox_dir, organization_type="public_institution", vat_id=None)
    refused(subscribe(client, account_id, headers), 422, "buyer_reference")
    wrong = put_address(
        client,
        f"/accounts/{account_id}/billing-address",
        {**ADDRESS, "buyer_reference": "04011000-1234512345-07"},
        headers,
    )
    assert "check digits" in refused(wrong, 422, "buyer_reference")["fields"]["buyer_reference"]
    assert Account.get(f"ACCOUNT#{account_id}", "ACCOUNT").street == "Hauptstraße 5"  # nothing written
    good = put_address(
        client, f"/accounts/{account_id}/billing-address", {**ADDRESS, "buyer_reference": LEITWEG_ID.lower()}, headers
    )
    assert body_of(good)["buyer_reference"] == LEITWEG_ID
    assert subscribe(client, account_id, headers).status_code == 200
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    [invoice] = invoices_of(account_id)
    xml = client.http.get(f"/accounts/{account_id}/invoices/{invoice.number}?format=xml", headers=headers).body
    assert b"urn:xeinkauf.de:kosit:xrechnung_3.0" in xml
    assert f"<ram:BuyerReference>{LEITWEG_ID}</ram:BuyerReference>".encode() in xml


def test_a_customer_without_an_address_is_not_invoiced_is_asked_once_a_month_and_billed_once_it_is_given(
    client, outbox_dir, staff_admin
):
    account_id, headers = sign_up(client, outbox_dir)
    assert subscribe(client, account_id, headers).status_code == 200
    # An existing customer from before the address was required.
    Account(f"ACCOUNT#{account_id}", "ACCOUNT").update(actions=[Account.street.remove(), Account.city.remove()])
    for night in ("2026-04-01T02:00:00+02:00", "2026-04-01T03:00:00+02:00", "2026-04-02T02:00:00+02:00"):
        billing.run(datetime.fromisoformat(night))
    assert invoices_of(account_id) == []
    run_job("mail", "2026-04-02T02:05:00+02:00")
    assert mails(outbox_dir, "billing-address-") == [f"billing-address-{account_id}-2026-04.eml"]  # one, not three
    # Billing-relevant calls name the missing fields.
    refused(subscribe(client, account_id, headers, "2026-04-03T10:00:00+02:00"), 422, "street")
    billing.run(datetime.fromisoformat("2026-05-01T02:00:00+02:00"))
    run_job("mail", "2026-05-01T02:05:00+02:00")
    assert len(mails(outbox_dir, "billing-address-")) == 2  # May's reminder
    # Billing staff give the address: the next night bills March and April, nothing lost.
    staff = put_address(
        client, f"/staff/accounts/{account_id}/billing-address", ADDRESS, staff_admin, "2026-05-10T10:00:00+02:00"
    )
    assert staff.status_code == 200, staff.body
    billing.run(datetime.fromisoformat("2026-05-11T02:00:00+02:00"))
    assert sorted(i.month for i in invoices_of(account_id)) == ["2026-03", "2026-04"]
    billing.run(datetime.fromisoformat("2026-05-12T02:00:00+02:00"))
    assert len(invoices_of(account_id)) == 2
