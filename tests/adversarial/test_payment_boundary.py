"""What a caller of the payment routes may try, and the refusal (issue 18: bad input, nothing half-written)."""

from __future__ import annotations

from datetime import datetime

from functions import billing
from shared.settings import get_settings
from tests.functional.helpers import auth, body_of, camt053, now_header, post_json, signup_and_verify, table_snapshot

XML = {"Content-Type": "application/xml"}
APRIL_10 = now_header("2026-04-10T12:00:00+02:00")
NUMBER = "2026-000001"


def billed(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    post_json(
        client,
        f"/accounts/{verified['account_id']}/subscription",
        {"edition": "team"},
        {**auth(verified), **now_header("2026-02-10T15:00:00+01:00")},
    )
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
    return verified


def state_of(client, verified) -> dict:
    path = f"/accounts/{verified['account_id']}/invoices/{NUMBER}"
    return body_of(client.http.get(path, headers={**auth(verified), **APRIL_10}))["payment_state"]


def test_a_statement_that_is_not_camt053_is_refused_not_404(client, outbox_dir, billing_clerk):
    billed(client, outbox_dir)
    client.http.get("/staff/unmatched-credits", headers=billing_clerk)  # the token's day of last use is written once
    before = table_snapshot(get_settings().table_name)
    for body in (
        b"not xml at all",
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.008.001.02'><CstmrDrctDbtInitn/></Document>",
        camt053("X", [{"amount": "1.00"}], namespace="urn:example:fake"),
        b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><Document>&e;</Document>",
    ):
        answer = client.http.post("/staff/bank-statements", body=body, headers={**billing_clerk, **XML})
        assert answer.status_code in (400, 415, 422), answer.body
        assert body_of(answer)["error"]["fields"]
    assert table_snapshot(get_settings().table_name) == before


def test_a_duplicate_statement_books_nothing_twice(client, outbox_dir, billing_clerk):
    verified = billed(client, outbox_dir)
    statement = camt053("DUP-1", [{"amount": "10.00", "remittance": NUMBER}])
    first = client.http.post("/staff/bank-statements", body=statement, headers={**billing_clerk, **XML, **APRIL_10})
    assert first.status_code == 201
    again = client.http.post("/staff/bank-statements", body=statement, headers={**billing_clerk, **XML, **APRIL_10})
    assert again.status_code == 409 and body_of(again)["error"]["code"] == "duplicate_statement"
    assert "Stmt/Id" in body_of(again)["error"]["fields"]
    assert state_of(client, verified)["paid"] == "10.00"


def test_a_payment_over_the_open_amount_is_refused_naming_the_amount(client, outbox_dir, billing_clerk):
    verified = billed(client, outbox_dir)
    answer = post_json(
        client, f"/staff/invoices/{NUMBER}/payments", {"amount": "100000.00"}, {**billing_clerk, **APRIL_10}
    )
    assert answer.status_code == 422 and "amount" in body_of(answer)["error"]["fields"]
    assert state_of(client, verified)["paid"] == "0.00"


def test_a_credit_over_the_open_amount_is_not_booked_but_listed(client, outbox_dir, billing_clerk):
    verified = billed(client, outbox_dir)
    statement = camt053("OVER-1", [{"amount": "99999.00", "remittance": NUMBER}])
    answer = client.http.post("/staff/bank-statements", body=statement, headers={**billing_clerk, **XML, **APRIL_10})
    assert body_of(answer)["unmatched"] == ["E1"]
    assert state_of(client, verified)["paid"] == "0.00"


def test_an_agent_or_a_tenant_cannot_book_payments(client, outbox_dir, agent):
    verified = billed(client, outbox_dir)
    for headers in (agent, auth(verified)):
        answer = post_json(client, f"/staff/invoices/{NUMBER}/payments", {"amount": "1.00"}, headers)
        assert answer.status_code in (401, 403, 404)
        statement = camt053("S-" + str(len(headers)), [{"amount": "1.00", "remittance": NUMBER}])
        assert client.http.post("/staff/bank-statements", body=statement, headers={**headers, **XML}).status_code in (
            401,
            403,
            404,
        )
    assert state_of(client, verified)["paid"] == "0.00"


def test_negative_and_sub_cent_amounts_are_refused(client, outbox_dir, billing_clerk):
    billed(client, outbox_dir)
    for amount in ("-5.00", "0", "1.001", "NaN", "Infinity"):
        answer = post_json(client, f"/staff/invoices/{NUMBER}/payments", {"amount": amount}, billing_clerk)
        assert answer.status_code in (400, 422) and "amount" in body_of(answer)["error"]["fields"], amount
