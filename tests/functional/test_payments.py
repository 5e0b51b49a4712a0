"""Getting paid (issue 18) through the API against DynamoDB Local: states, statements, write-offs, open items."""

from __future__ import annotations

from tests.functional.helpers import (
    XML,
    an_invoice,
    auth,
    body_of,
    camt053,
    invoice_json,
    now_header,
    post_json,
)

APRIL_10 = now_header("2026-04-10T12:00:00+02:00")


def test_an_invoice_is_open_then_overdue_then_paid_by_a_statement(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)
    document = invoice_json(client, verified, number)
    total = document["total"]
    assert document["payment_state"] == {
        "state": "open",
        "paid": "0.00",
        "open": total,
        "due_on": "2026-04-15",
        "written_off": False,
    }
    assert invoice_json(client, verified, number, "2026-04-20T12:00:00+02:00")["payment_state"]["state"] == "overdue"

    statement = camt053("STMT-1", [{"amount": total, "remittance": f"Rechnung {number}"}, {"amount": "5.00"}])
    answer = client.http.post("/staff/bank-statements", body=statement, headers={**billing_clerk, **XML, **APRIL_10})
    assert answer.status_code == 201, answer.body
    assert body_of(answer)["matched"] == ["E1"] and body_of(answer)["unmatched"] == ["E2"]
    assert invoice_json(client, verified, number)["payment_state"]["state"] == "paid"

    credits = body_of(client.http.get("/staff/unmatched-credits", headers=billing_clerk))["credits"]
    assert [(c["statement_id"], c["entry"], c["amount"]) for c in credits] == [("STMT-1", "E2", "5.00")]
    listing = body_of(client.http.get(f"/accounts/{verified['account_id']}/invoices", headers=auth(verified)))
    assert listing["invoices"][0]["payment_state"]["state"] == "paid"


def test_a_partial_payment_by_hand_then_a_write_off_and_the_open_items(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)
    headers = {**billing_clerk, **APRIL_10, "Idempotency-Key": "cheque-17"}
    for _ in range(2):  # the same key twice books once
        paid = post_json(client, f"/staff/invoices/{number}/payments", {"amount": "10.00"}, headers)
        assert paid.status_code == 201, paid.body
    state = invoice_json(client, verified, number)["payment_state"]
    assert (state["state"], state["paid"]) == ("partly_paid", "10.00")

    items = body_of(
        client.http.get("/staff/open-items", headers={**billing_clerk, **now_header("2026-06-01T12:00:00+02:00")})
    )
    assert [(row["number"], row["bucket"], row["days_overdue"]) for row in items["open_items"]] == [
        (number, "31-60", 47)
    ]
    as_csv = client.http.get("/staff/open-items?format=csv", headers=billing_clerk)
    assert as_csv.headers["Content-Type"].startswith("text/csv") and number in as_csv.body.decode()

    off = post_json(
        client, f"/staff/invoices/{number}/write-off", {"reason": "insolvent"}, {**billing_clerk, **APRIL_10}
    )
    assert off.status_code == 200 and body_of(off)["payment_state"]["state"] == "written_off"
    assert body_of(client.http.get("/staff/open-items", headers=billing_clerk))["open_items"] == []


def test_an_unmatched_credit_is_assigned_by_a_clerk(client, outbox_dir, billing_clerk):
    _verified, number = an_invoice(client, outbox_dir)
    statement = camt053("STMT-2", [{"amount": "20.00", "remittance": "Danke"}])
    client.http.post("/staff/bank-statements", body=statement, headers={**billing_clerk, **XML, **APRIL_10})
    assigned = post_json(
        client,
        "/staff/unmatched-credits/assignments",
        {"statement_id": "STMT-2", "entry": "E1", "number": number},
        {**billing_clerk, **APRIL_10},
    )
    assert assigned.status_code == 200, assigned.body
    assert body_of(assigned)["payment_state"]["paid"] == "20.00"
    assert body_of(client.http.get("/staff/unmatched-credits", headers=billing_clerk))["credits"] == []


def test_a_returned_debit_reopens_the_invoice_with_its_reason(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)
    total = invoice_json(client, verified, number)["total"]
    paid = camt053("STMT-3", [{"amount": total, "end_to_end": number}])
    client.http.post("/staff/bank-statements", body=paid, headers={**billing_clerk, **XML, **APRIL_10})
    assert invoice_json(client, verified, number)["payment_state"]["state"] == "paid"
    returned = camt053("STMT-4", [{"amount": total, "indicator": "DBIT", "end_to_end": number, "reason": "MD06"}])
    answer = client.http.post("/staff/bank-statements", body=returned, headers={**billing_clerk, **XML, **APRIL_10})
    assert body_of(answer)["returned"] == ["E1"]
    assert invoice_json(client, verified, number)["payment_state"]["state"] == "open"
    from shared.storage.models import CocoonItem
    from shared.storage.payment_models import InvoicePayment

    kept = [i for i in CocoonItem.query(f"ACCOUNT#{verified['account_id']}") if isinstance(i, InvoicePayment)]
    assert sorted((p.kind, p.return_reason) for p in kept) == [("return", "MD06"), ("transfer", None)]
