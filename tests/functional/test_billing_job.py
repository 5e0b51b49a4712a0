"""Nightly billing through the job and the API, against DynamoDB Local."""

from __future__ import annotations

from datetime import datetime

from functions import billing
from shared.storage.models import CocoonItem, InvoiceCounter, InvoiceDocument
from tests.functional.helpers import auth, body_of, mails, now_header, post_json, run_job, signup_and_verify


def customer_with_users(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")  # trial ends 28 Feb
    account_id, headers = verified["account_id"], auth(verified)
    post_json(
        client,
        f"/accounts/{account_id}/subscription",
        {"edition": "team"},
        {**headers, **now_header("2026-02-10T15:00:00+01:00")},
    )
    post_json(
        client,
        f"/accounts/{account_id}/users",
        {"email": "max@beispiel.example", "name": "Max Muster"},
        {**headers, **now_header("2026-03-05T10:00:00+01:00")},
    )
    return verified


def invoices_of(account_id: str) -> list[InvoiceDocument]:
    return [i for i in CocoonItem.query(f"ACCOUNT#{account_id}") if isinstance(i, InvoiceDocument)]


def test_one_invoice_per_ended_month_however_often_the_job_runs(client, outbox_dir):
    verified = customer_with_users(client, outbox_dir)
    account_id = verified["account_id"]
    billing.run(datetime.fromisoformat("2026-03-31T23:00:00+02:00"))
    assert invoices_of(account_id) == []  # March has not ended
    for _ in range(3):
        billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    invoices = invoices_of(account_id)
    assert [(i.month, i.number) for i in invoices] == [("2026-03", "2026-000001")]
    document = invoices[0].document
    seats = document["lines"][0]
    assert seats["quantity"] == "2" and seats["unit_price"] == "24.00" and seats["amount"] == "48.00"
    assert "Max Muster" in str(document) and "Erika Mustermann" in str(document)
    assert (document["net"], document["vat_rate"], document["vat"], document["total"]) == (
        "48.00",
        "19.00",
        "9.12",
        "57.12",
    )
    run_job("mail", "2026-04-01T02:05:00+02:00")
    assert mails(outbox_dir, "invoice-") == ["invoice-2026-000001.eml"]

    # Months missed by a job that did not run are all created, in order, without gaps.
    billing.run(datetime.fromisoformat("2026-07-02T02:00:00+02:00"))
    assert sorted((i.month, i.number) for i in invoices_of(account_id)) == [
        ("2026-03", "2026-000001"),
        ("2026-04", "2026-000002"),
        ("2026-05", "2026-000003"),
        ("2026-06", "2026-000004"),
    ]
    assert InvoiceCounter.get("COUNTER#INVOICE#2026", "COUNTER").last_sequence == 4


def test_invoices_over_http_json_xml_and_preview(client, outbox_dir):
    verified = customer_with_users(client, outbox_dir)
    account_id, headers = verified["account_id"], auth(verified)
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    listed = body_of(client.http.get(f"/accounts/{account_id}/invoices", headers=headers))
    assert [i["number"] for i in listed["invoices"]] == ["2026-000001"]
    one = client.http.get(f"/accounts/{account_id}/invoices/2026-000001", headers=headers)
    assert body_of(one)["total"] == "57.12"
    xml = client.http.get(f"/accounts/{account_id}/invoices/2026-000001?format=xml", headers=headers)
    assert xml.status_code == 200 and xml.headers["Content-Type"].startswith("application/xml")
    from shared.rules.billing.einvoice import validate_en16931_xml

    validate_en16931_xml(xml.body)
    preview = client.http.get(
        f"/accounts/{account_id}/invoice-preview", headers={**headers, **now_header("2026-04-15T12:00:00+02:00")}
    )
    assert preview.status_code == 200 and body_of(preview)["month"] == "2026-04"
    assert invoices_of(account_id)[0].number == "2026-000001"  # the preview wrote nothing


def test_another_accounts_invoice_is_404(client, outbox_dir):
    verified = customer_with_users(client, outbox_dir)
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    other = signup_and_verify(client, outbox_dir, email="o@other.example")
    response = client.http.get(f"/accounts/{other['account_id']}/invoices/2026-000001", headers=auth(other))
    assert response.status_code == 404
    assert (
        client.http.get(f"/accounts/{verified['account_id']}/invoices/2026-000001", headers=auth(other)).status_code
        == 404
    )


def test_cancellation_ends_billing_with_its_month(client, outbox_dir):
    verified = customer_with_users(client, outbox_dir)
    account_id, headers = verified["account_id"], auth(verified)
    post_json(
        client, f"/accounts/{account_id}/cancellation", {}, {**headers, **now_header("2026-04-01T10:00:00+02:00")}
    )
    for moment in ("2026-05-01T00:30:00+02:00", "2026-06-01T02:00:00+02:00", "2026-09-01T02:00:00+02:00"):
        run_job("lifecycle", moment)
        billing.run(datetime.fromisoformat(moment))
    assert sorted(i.month for i in invoices_of(account_id)) == ["2026-03", "2026-04"]
    cursor = [i for i in CocoonItem.query(f"ACCOUNT#{account_id}") if i.sk.startswith("DUE#billing")]
    assert cursor == []


def test_apps_are_billed_for_every_month_they_were_held(client, outbox_dir):
    verified = customer_with_users(client, outbox_dir)
    account_id, headers = verified["account_id"], auth(verified)
    added = client.http.put(
        f"/accounts/{account_id}/apps/telephony", headers={**headers, **now_header("2026-03-10T10:00:00+01:00")}
    )
    assert added.status_code == 201
    unknown = client.http.put(f"/accounts/{account_id}/apps/teleportation", headers=headers)
    assert unknown.status_code == 404 and "app_id" in body_of(unknown)["error"]["fields"]
    cancelled = client.http.delete(
        f"/accounts/{account_id}/apps/telephony", headers={**headers, **now_header("2026-04-10T10:00:00+02:00")}
    )
    assert body_of(cancelled)["cancelled_effective_at"].startswith("2026-05-01")
    billing.run(datetime.fromisoformat("2026-06-01T02:00:00+02:00"))
    by_month = {i.month: [line["description"] for line in i.document["lines"]] for i in invoices_of(account_id)}
    assert any("Telephony" in d for d in by_month["2026-03"])
    assert any("Telephony" in d for d in by_month["2026-04"])
    assert not any("Telephony" in d for d in by_month["2026-05"])
