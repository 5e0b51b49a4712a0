"""Direct debit on the issued invoice (issue 17 with issue 18's mandates), against DynamoDB Local.

The mandate live when the billing night issues an invoice is recorded in it: the served XML and the
PDF's embedded copy name SEPA direct debit (59) with the mandate reference, our creditor id and the
debited IBAN; revoking the mandate later changes nothing issued; a mandate revoked before the night
leaves the invoice a credit transfer (58).
"""

from __future__ import annotations

import io
from datetime import datetime

from lxml import etree

from functions import billing, mail_delivery
from shared.policy import get_policy
from tests.functional.helpers import auth, body_of, mail_text, now_header, post_json, signup_and_verify

PDF = {"Accept": "application/pdf"}
IBAN = "DE89370400440532013000"
MANDATE = {"iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX", "reference": "COCOON-M-0417",
           "signed_on": "2026-03-01"}
NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
NUMBER = "2026-000001"  # the customer's first invoice: March, billed on 1 April


def customer_with_mandate(client, outbox_dir, *, revoke_before_billing: bool = False) -> tuple[str, dict[str, str]]:
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    account_id, headers = verified["account_id"], auth(verified)
    march = now_header("2026-03-05T10:00:00+01:00")
    post_json(client, f"/accounts/{account_id}/subscription", {"edition": "team"},
              {**headers, **now_header("2026-02-10T15:00:00+01:00")})
    granted = post_json(client, f"/accounts/{account_id}/sepa-mandate", MANDATE, {**headers, **march})
    assert granted.status_code == 201, granted.body
    if revoke_before_billing:
        revoked = client.http.delete(f"/accounts/{account_id}/sepa-mandate", headers={**headers, **march})
        assert revoked.status_code == 200, revoked.body
    assert billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00")).failed == 0
    return account_id, headers


def served_xml(client, account_id: str, headers: dict[str, str]) -> bytes:
    answer = client.http.get(f"/accounts/{account_id}/invoices/{NUMBER}?format=xml", headers=headers)
    assert answer.status_code == 200, answer.body
    return bytes(answer.body)


def served_pdf(client, account_id: str, headers: dict[str, str]) -> bytes:
    answer = client.http.get(f"/accounts/{account_id}/invoices/{NUMBER}?format=pdf", headers={**headers, **PDF})
    assert answer.status_code == 200, answer.body[:300]
    return bytes(answer.body)


def payment_means(xml: bytes) -> dict[str, str]:
    root = etree.fromstring(xml)

    def text(path: str) -> str:
        return " ".join(root.xpath(f"//ram:ApplicableHeaderTradeSettlement/{path}/text()", namespaces=NS))

    return {
        "type": text("ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"),
        "mandate": text("ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"),
        "creditor": text("ram:CreditorReferenceID"),
        "debited": text("ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID"),
        "payee": text("ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID"),
    }


def page_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_live_mandate_makes_the_invoice_a_direct_debit_in_the_xml_the_pdf_and_the_mail(client, outbox_dir):
    from facturx import get_xml_from_pdf

    account_id, headers = customer_with_mandate(client, outbox_dir)
    xml, pdf = served_xml(client, account_id, headers), served_pdf(client, account_id, headers)
    _, embedded = get_xml_from_pdf(pdf, check_xsd=True)
    assert embedded == xml
    creditor_id = get_policy().billing.direct_debit.creditor_id
    assert payment_means(xml) == {
        "type": "59", "mandate": "COCOON-M-0417", "creditor": creditor_id, "debited": IBAN, "payee": "",
    }
    printed = page_text(pdf)
    assert "COCOON-M-0417" in printed and "3000" in printed
    assert IBAN not in printed.replace(" ", "")  # the page shows the account's last 4 characters only

    mail_delivery.run(datetime.fromisoformat("2026-04-01T03:00:00+02:00"))
    [invoice_mail] = outbox_dir.glob(f"invoice-{NUMBER}*.eml")
    text = " ".join(mail_text(invoice_mail).split())
    assert "PDF" in text and "COCOON-M-0417" in text and "3000" in text
    assert IBAN not in text.replace(" ", "")


def test_revoking_the_mandate_after_issue_leaves_the_issued_document_unchanged(client, outbox_dir):
    account_id, headers = customer_with_mandate(client, outbox_dir)
    before_xml, before_json = served_xml(client, account_id, headers), body_of(
        client.http.get(f"/accounts/{account_id}/invoices/{NUMBER}", headers=headers))
    revoked = client.http.delete(f"/accounts/{account_id}/sepa-mandate", headers=headers)
    assert revoked.status_code == 200, revoked.body
    after_xml = served_xml(client, account_id, headers)
    assert after_xml == before_xml and payment_means(after_xml)["type"] == "59"
    after_json = body_of(client.http.get(f"/accounts/{account_id}/invoices/{NUMBER}", headers=headers))
    assert after_json["payment_means"] == before_json["payment_means"]
    assert after_json["payment_means"]["mandate_reference"] == "COCOON-M-0417"


def test_a_mandate_revoked_before_the_billing_night_leaves_a_credit_transfer(client, outbox_dir):
    account_id, headers = customer_with_mandate(client, outbox_dir, revoke_before_billing=True)
    xml = served_xml(client, account_id, headers)
    means = payment_means(xml)
    assert (means["type"], means["mandate"], means["debited"]) == ("58", "", "")
    assert means["payee"] == get_policy().seller.iban
    document = body_of(client.http.get(f"/accounts/{account_id}/invoices/{NUMBER}", headers=headers))
    assert "payment_means" not in document
    assert "COCOON-M-0417" not in page_text(served_pdf(client, account_id, headers))
