"""The boundary between an account's SEPA mandate and the invoices billing issues (issue 17 with issue 18).

An attacker (or a bug) would like another account's mandate to pay an invoice, or an IBAN to leak into the
logs while the billing night and the mail job run. Each test is that attempt and the refusal expected.
"""

from __future__ import annotations

import logging
from datetime import datetime

from lxml import etree

from functions import billing, mail_delivery
from tests.functional.helpers import auth, now_header, post_json, signup_and_verify

MARCH = now_header("2026-03-05T10:00:00+01:00")
MANDATE_A = {"iban": "DE88370400440532013018", "bic": "COBADEFFXXX", "reference": "COCOON-A-0001",
             "signed_on": "2026-03-01"}
MANDATE_B = {"iban": "DE12500105170648489890", "bic": "INGDDEFFXXX", "reference": "COCOON-B-0001",
             "signed_on": "2026-03-01"}
NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
NUMBERS = {"2026-000001", "2026-000002"}  # the two customers' March invoices, in some order


def customer(client, outbox_dir, email: str, mandate: dict[str, str] | None) -> tuple[str, dict[str, str]]:
    verified = signup_and_verify(client, outbox_dir, email=email, now="2026-01-30T09:00:00+01:00")
    account_id, headers = verified["account_id"], auth(verified)
    post_json(client, f"/accounts/{account_id}/subscription", {"edition": "team"},
              {**headers, **now_header("2026-02-10T15:00:00+01:00")})
    if mandate is not None:
        granted = post_json(client, f"/accounts/{account_id}/sepa-mandate", mandate, {**headers, **MARCH})
        assert granted.status_code == 201, granted.body
    return account_id, headers


def invoice_xml(client, account_id: str, headers: dict[str, str]) -> bytes:
    for number in sorted(NUMBERS):
        answer = client.http.get(f"/accounts/{account_id}/invoices/{number}?format=xml", headers=headers)
        if answer.status_code == 200:
            return bytes(answer.body)
    raise AssertionError(f"no invoice of {account_id}")


def debited(xml: bytes) -> tuple[str, str, str]:
    root = etree.fromstring(xml)

    def text(path: str) -> str:
        return " ".join(root.xpath(f"//ram:ApplicableHeaderTradeSettlement/{path}/text()", namespaces=NS))

    return (
        text("ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"),
        text("ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"),
        text("ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID"),
    )


def night() -> None:
    assert billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00")).failed == 0


def test_another_accounts_mandate_never_pays_an_invoice(client, outbox_dir):
    """A and B both have a mandate: each invoice is debited under its own account's mandate, never the other's."""
    a_id, a_headers = customer(client, outbox_dir, "anna@a.example", MANDATE_A)
    b_id, b_headers = customer(client, outbox_dir, "bert@b.example", MANDATE_B)
    night()
    a_xml, b_xml = invoice_xml(client, a_id, a_headers), invoice_xml(client, b_id, b_headers)
    assert debited(a_xml) == ("59", MANDATE_A["reference"], MANDATE_A["iban"])
    assert debited(b_xml) == ("59", MANDATE_B["reference"], MANDATE_B["iban"])
    assert MANDATE_B["iban"].encode() not in a_xml and MANDATE_B["reference"].encode() not in a_xml
    assert MANDATE_A["iban"].encode() not in b_xml and MANDATE_A["reference"].encode() not in b_xml


def test_an_account_without_a_mandate_is_not_debited_under_its_neighbours(client, outbox_dir):
    """Only B has a mandate, billed in the same batch as A: A's invoice stays a credit transfer naming nothing of B."""
    a_id, a_headers = customer(client, outbox_dir, "anna@a.example", None)
    b_id, b_headers = customer(client, outbox_dir, "bert@b.example", MANDATE_B)
    night()
    a_xml = invoice_xml(client, a_id, a_headers)
    assert debited(a_xml) == ("58", "", "")
    assert MANDATE_B["iban"].encode() not in a_xml and MANDATE_B["reference"].encode() not in a_xml
    assert debited(invoice_xml(client, b_id, b_headers))[0] == "59"


def test_another_accounts_admin_cannot_read_the_debited_invoice(client, outbox_dir):
    a_id, _ = customer(client, outbox_dir, "anna@a.example", None)
    b_id, b_headers = customer(client, outbox_dir, "bert@b.example", MANDATE_B)
    night()
    b_xml = invoice_xml(client, b_id, b_headers)
    assert debited(b_xml)[0] == "59"
    for number in NUMBERS:  # B's token on A's invoices, and A's path with B's invoice number
        answer = client.http.get(f"/accounts/{a_id}/invoices/{number}?format=xml", headers=b_headers)
        assert answer.status_code in (403, 404), answer.body
        assert MANDATE_B["iban"].encode() not in bytes(answer.body)


def test_no_iban_reaches_the_logs_when_billing_and_the_invoice_mails_run(client, outbox_dir, caplog, capsys):
    """Our logs (the `cocoon` logger at every level, through caplog and its JSON lines on stdout) and every
    library's INFO and above; botocore's DEBUG wire dumps are off in every deployed stage."""
    a_id, a_headers = customer(client, outbox_dir, "anna@a.example", MANDATE_A)
    capsys.readouterr()
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="cocoon")
    night()
    mail_delivery.run(datetime.fromisoformat("2026-04-01T03:00:00+02:00"))
    assert debited(invoice_xml(client, a_id, a_headers))[0] == "59"  # the IBAN is in the document, as BT-91
    records = [*caplog.records]
    logged = "\n".join([record.getMessage() for record in records] + [repr(record.__dict__) for record in records])
    logged += capsys.readouterr().out
    assert logged.strip(), "the jobs logged nothing at all: this test would prove nothing"
    for iban in (MANDATE_A["iban"], MANDATE_A["iban"][4:]):
        assert iban not in logged.replace(" ", "")
