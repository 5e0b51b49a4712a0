"""Credit notes against DynamoDB Local: issued by billing staff, numbered in their own series, mailed with
their PDF, listed with the invoice, served as JSON/XML/PDF; the invoice never changes."""

from __future__ import annotations

from datetime import datetime
from email import message_from_bytes

import pytest

from functions import billing
from shared.storage.models import CocoonItem, InvoiceDocument
from tests.functional.helpers import auth, body_of, deliver_mail, now_header, post_json, signup_and_verify

NOW = "2026-04-10T10:00:00+02:00"
PDF = {"Accept": "application/pdf"}


@pytest.fixture
def billed(client, outbox_dir):
    """A customer (team edition from 10 February) with its March invoice 2026-000001 (two users)."""
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
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
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    return account_id, headers


@pytest.fixture
def billing_staff(db, capsys):
    from functions.cli import main as cocoon

    assert cocoon(["staff", "add", "Bea", "bea@cocoon.example", "--role", "billing"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {token}", **now_header(NOW)}


def credit(client, account_id, staff, body, number="2026-000001", **headers):
    return post_json(client, f"/staff/accounts/{account_id}/invoices/{number}/credit-notes", body, {**staff, **headers})


def invoice_items(account_id):
    return [i.attribute_values for i in CocoonItem.query(f"ACCOUNT#{account_id}") if isinstance(i, InvoiceDocument)]


def test_a_partial_then_the_rest_credited_in_their_own_series(client, billed, billing_staff, outbox_dir):
    account_id, headers = billed
    invoice = body_of(client.http.get(f"/accounts/{account_id}/invoices/2026-000001", headers=headers))
    before = invoice_items(account_id)
    first = credit(client, account_id, billing_staff, {"reason": "Kulanz", "lines": [{"line": 1, "amount": "10.00"}]})
    assert first.status_code == 201, first.body
    note = body_of(first)
    assert note["number"] == "G2026-000001" and note["document_type"] == "credit_note"
    assert note["corrects"] == {"number": "2026-000001", "issued_on": "2026-04-01"}
    assert note["net"] == "-10.00" and note["vat"] == "-1.90" and note["total"] == "-11.90"

    rest = body_of(credit(client, account_id, billing_staff, {"reason": "storniert"}))
    assert rest["number"] == "G2026-000002"
    assert rest["net"] == f"-{float(invoice['net']) - 10:.2f}"
    credited_vat = -(float(note["vat"]) + float(rest["vat"]))
    assert f"{credited_vat:.2f}" == invoice["vat"]  # together exactly the invoiced VAT

    shown = body_of(client.http.get(f"/accounts/{account_id}/invoices/2026-000001", headers=headers))
    assert [c["number"] for c in shown["credit_notes"]] == ["G2026-000001", "G2026-000002"]
    listed = body_of(client.http.get(f"/accounts/{account_id}/invoices", headers=headers))
    assert [c["number"] for c in listed["invoices"][0]["credit_notes"]] == ["G2026-000001", "G2026-000002"]
    assert invoice_items(account_id) == before  # the invoice itself never changes

    refused = credit(client, account_id, billing_staff, {"reason": "again"})
    assert refused.status_code == 422 and "lines" in refused.json_body["error"]["fields"]


def test_a_credit_note_as_xml_and_pdf_and_mailed_with_its_pdf(client, billed, billing_staff, outbox_dir):
    from facturx import get_xml_from_pdf
    from lxml import etree

    account_id, headers = billed
    number = body_of(credit(client, account_id, billing_staff, {"reason": "storniert"}))["number"]
    path = f"/accounts/{account_id}/credit-notes/{number}"
    xml = client.http.get(f"{path}?format=xml", headers=headers)
    assert xml.status_code == 200
    tree = etree.fromstring(xml.body)
    ns = {
        "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
        "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    }
    assert tree.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=ns) == "381"
    assert tree.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=ns) == "2026-000001"
    pdf = client.http.get(f"{path}?format=pdf", headers={**headers, **PDF})
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert get_xml_from_pdf(pdf.body, check_xsd=False)[1] == xml.body

    deliver_mail(NOW)
    mail = message_from_bytes((outbox_dir / f"credit-note-{number}.eml").read_bytes())
    attachments = [part for part in mail.walk() if part.get_content_disposition() == "attachment"]
    assert [part.get_filename() for part in attachments] == [f"credit-note-{number}.pdf"]
    assert get_xml_from_pdf(attachments[0].get_payload(decode=True), check_xsd=False)[1] == xml.body
    invoice_mail = message_from_bytes((outbox_dir / "invoice-2026-000001.eml").read_bytes())
    assert [p.get_filename() for p in invoice_mail.walk() if p.get_content_disposition() == "attachment"] == [
        "invoice-2026-000001.pdf"
    ]


def test_another_account_reads_no_credit_note(client, billed, billing_staff, outbox_dir):
    account_id, _ = billed
    number = body_of(credit(client, account_id, billing_staff, {"reason": "storniert"}))["number"]
    other = signup_and_verify(client, outbox_dir, email="o@other.example")
    assert (
        client.http.get(f"/accounts/{other['account_id']}/credit-notes/{number}", headers=auth(other)).status_code
        == 404
    )
