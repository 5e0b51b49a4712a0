"""SEPA B2B direct debit (issue 18) through the API against DynamoDB Local: a mandate, the pre-notification in
the invoice JSON, one pain.008 file per collection day collecting each invoice once, a return reopening it."""

from __future__ import annotations

from lxml import etree

from tests.functional.helpers import XML, an_invoice, auth, body_of, camt053, invoice_json, now_header, post_json

APRIL_5 = now_header("2026-04-05T12:00:00+02:00")
MANDATE = {"iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX", "reference": "COCOON-M-0001",
           "signed_on": "2026-04-02"}
PAIN008 = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"


def grant(client, verified, body=None, headers=None):
    return post_json(client, f"/accounts/{verified['account_id']}/sepa-mandate", body or MANDATE,
                     headers or {**auth(verified), **APRIL_5})


def collect(client, billing_clerk, day="2026-04-15"):
    return post_json(client, "/staff/direct-debits", {"collection_on": day}, {**billing_clerk, **APRIL_5})


def test_mandate_pre_notification_one_file_per_day_and_a_return_reopens(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)
    granted = grant(client, verified)
    assert granted.status_code == 201, granted.body
    assert body_of(granted)["iban"] == "DE89…3000" and body_of(granted)["creditor_id"] == "DE98ZZZ09999999999"

    document = invoice_json(client, verified, number)
    notice = document["direct_debit"]
    assert (notice["amount"], notice["collection_on"], notice["mandate_reference"], notice["collected"]) == (
        document["total"], "2026-04-15", "COCOON-M-0001", False)

    made = collect(client, billing_clerk)
    assert made.status_code == 201, made.body
    assert body_of(made)["invoices"] == [number]
    again = collect(client, billing_clerk)  # each invoice is collected once
    assert again.status_code == 422 and body_of(again)["error"]["fields"] == {"collection_on": "nothing due"}
    assert invoice_json(client, verified, number)["direct_debit"]["collected"] is True

    file_id = body_of(made)["file_id"]
    download = client.http.get(f"/staff/direct-debits/2026-04-15/{file_id}", headers=billing_clerk)
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("application/xml")
    root = etree.fromstring(download.body)
    ns = {"p": PAIN008}
    assert root.findtext(".//p:LclInstrm/p:Cd", namespaces=ns) == "B2B"
    assert root.findtext(".//p:DrctDbtTxInf/p:PmtId/p:EndToEndId", namespaces=ns) == number
    assert root.findtext(".//p:MndtRltdInf/p:MndtId", namespaces=ns) == "COCOON-M-0001"
    assert root.findtext(".//p:ReqdColltnDt", namespaces=ns) == "2026-04-15"
    assert "DE98ZZZ09999999999" in [element.text for element in root.iterfind(".//p:CdtrSchmeId//p:Id", ns)]

    paid = camt053("DD-1", [{"amount": document["total"], "end_to_end": number}])
    client.http.post("/staff/bank-statements", body=paid, headers={**billing_clerk, **XML, **APRIL_5})
    assert invoice_json(client, verified, number)["payment_state"]["state"] == "paid"
    returned = camt053("DD-2", [{"amount": document["total"], "indicator": "DBIT", "end_to_end": number,
                                 "reason": "AM04"}])
    answer = client.http.post("/staff/bank-statements", body=returned, headers={**billing_clerk, **XML, **APRIL_5})
    assert body_of(answer)["returned"] == ["E1"]
    reopened = invoice_json(client, verified, number)
    assert reopened["payment_state"]["state"] == "open" and reopened["direct_debit"]["collected"] is False
    assert collect(client, billing_clerk).status_code == 201  # collected again in a new file


def test_revoked_mandates_are_not_collected_and_staff_grant_on_behalf(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)
    assert grant(client, verified).status_code == 201
    revoked = client.http.delete(f"/accounts/{verified['account_id']}/sepa-mandate", headers=auth(verified))
    assert revoked.status_code == 200
    assert "direct_debit" not in invoice_json(client, verified, number)
    assert collect(client, billing_clerk).status_code == 422
    on_behalf = post_json(client, f"/staff/accounts/{verified['account_id']}/sepa-mandate",
                          {**MANDATE, "reference": "COCOON-M-0002"}, {**billing_clerk, **APRIL_5})
    assert on_behalf.status_code == 201, on_behalf.body
    assert body_of(collect(client, billing_clerk))["invoices"] == [number]
