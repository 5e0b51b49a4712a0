"""Invoices as PDF/A-3 over HTTP: the embedded XML is the served XML, and the PDF/A-3 markers are there."""

from __future__ import annotations

import io
from datetime import datetime

from functions import billing
from tests.functional.helpers import auth, now_header, post_json, signup_and_verify

# A binary answer needs a matching Accept header (API Gateway and Chalice alike).
PDF = {"Accept": "application/pdf"}


def billed_customer(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    account_id, headers = verified["account_id"], auth(verified)
    post_json(
        client,
        f"/accounts/{account_id}/subscription",
        {"edition": "team"},
        {**headers, **now_header("2026-02-10T15:00:00+01:00")},
    )
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    return account_id, headers


def test_the_pdf_embeds_exactly_the_served_xml(client, outbox_dir):
    from facturx import get_xml_from_pdf

    account_id, headers = billed_customer(client, outbox_dir)
    path = f"/accounts/{account_id}/invoices/2026-000001"
    pdf = client.http.get(f"{path}?format=pdf", headers={**headers, **PDF})
    xml = client.http.get(f"{path}?format=xml", headers=headers)
    assert pdf.status_code == 200, pdf.body[:300]
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF-")
    filename, embedded = get_xml_from_pdf(pdf.body, check_xsd=True)
    assert filename == "factur-x.xml"
    assert embedded == xml.body


def test_the_pdf_carries_the_pdf_a_3_markers(client, outbox_dir):
    from pypdf import PdfReader

    account_id, headers = billed_customer(client, outbox_dir)
    body = client.http.get(f"/accounts/{account_id}/invoices/2026-000001?format=pdf", headers={**headers, **PDF}).body
    reader = PdfReader(io.BytesIO(body))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp
    intents = root["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intents[0].get_object()
    assert [spec.get_object()["/AFRelationship"] for spec in root["/AF"]] == ["/Data"]
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():  # PDF/A: every font embedded (a Type0 font's descendant carries the file)
        descendant = font.get_object()["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]
    assert "Rechnung 2026-000001" in reader.pages[0].extract_text()  # the account's language (de)


def test_an_unknown_format_or_a_caller_refusing_pdf_is_a_4xx_naming_the_field(client, outbox_dir):
    account_id, headers = billed_customer(client, outbox_dir)
    path = f"/accounts/{account_id}/invoices/2026-000001"
    response = client.http.get(f"{path}?format=docx", headers=headers)
    assert response.status_code == 400
    assert "format" in response.json_body["error"]["fields"]
    refused = client.http.get(f"{path}?format=pdf", headers={**headers, "Accept": "application/json"})
    assert refused.status_code == 406
    assert "Accept" in refused.json_body["error"]["fields"]
    anything = client.http.get(f"{path}?format=pdf", headers={**headers, "Accept": "*/*"})
    assert anything.status_code == 200 and anything.body.startswith(b"%PDF-")
