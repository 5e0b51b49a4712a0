"""Dunning (issue 18) against DynamoDB Local: each level mailed once in the account's language, then the
account is suspended (403 `account_suspended`) until the booking that pays the invoice reactivates it."""

from __future__ import annotations

from datetime import datetime

from functions import dunning
from shared.mail.compose import stored_mail_text
from shared.storage.models import Account, CocoonItem, InvoiceDocument, OutboxMail
from tests.functional.helpers import XML, an_invoice, auth, body_of, camt053, invoice_json, now_header, post_json

LEVELS = ("payment_reminder", "second_reminder", "final_notice")


def run(moment: str) -> dunning.JobResult:
    return dunning.run(datetime.fromisoformat(moment))


def dunning_mails(account_id: str) -> list[OutboxMail]:
    return sorted(
        (item for item in CocoonItem.query(f"ACCOUNT#{account_id}") if isinstance(item, OutboxMail)
         and item.template in (*LEVELS, "account_suspended")),
        key=lambda mail: mail.created_at,
    )


def account_of(account_id: str) -> Account:
    return Account.get(f"ACCOUNT#{account_id}", "ACCOUNT")


def test_each_level_once_then_suspension_then_reactivated_by_the_payment(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)  # due on 2026-04-15
    account_id = verified["account_id"]
    assert run("2026-04-16T09:00:00+02:00").done == 0  # due, not yet a reminder: looks again on 22 April
    for moment in ("2026-04-22T09:00:00+02:00", "2026-05-06T09:00:00+02:00", "2026-05-20T09:00:00+02:00"):
        assert run(moment).done == 1
        assert run(moment).done == 0  # a re-run the same day sends nothing more
    mails = dunning_mails(account_id)
    assert [mail.template for mail in mails] == list(LEVELS)
    texts = [stored_mail_text(mail) for mail in mails]  # queued, rendered when the mail job sends them
    assert all(number in text.subject and number in text.body_text for text in texts)
    assert "Rechnung" in texts[0].subject  # the account's language (signed up in German)
    listing = f"/accounts/{account_id}/invoices"
    assert client.http.get(listing, headers={**auth(verified), **now_header("2026-05-29T12:00:00+02:00")}).status_code == 200

    assert run("2026-05-30T09:00:00+02:00").details == {"suspended": 1}
    assert run("2026-06-30T09:00:00+02:00").done == 0
    assert account_of(account_id).suspended_by == {number}
    refused = client.http.get(listing, headers={**auth(verified), **now_header("2026-05-30T12:00:00+02:00")})
    assert refused.status_code == 403 and body_of(refused)["error"]["code"] == "account_suspended"
    assert number in body_of(refused)["error"]["message"]
    assert [mail.template for mail in dunning_mails(account_id)][-1] == "account_suspended"

    total = InvoiceDocument.get(f"ACCOUNT#{account_id}", "INVOICE#2026-03").document["total"]
    statement = camt053("STMT-D1", [{"amount": total, "remittance": f"Rechnung {number}"}])
    answer = client.http.post("/staff/bank-statements", body=statement, headers={**billing_clerk, **XML})
    assert answer.status_code == 201 and body_of(answer)["matched"] == ["E1"]
    assert account_of(account_id).suspended_by is None
    assert invoice_json(client, verified, number, "2026-06-01T12:00:00+02:00")["payment_state"]["state"] == "paid"


def test_a_late_run_sends_only_the_highest_level_reached(client, outbox_dir):
    verified, _number = an_invoice(client, outbox_dir)
    assert run("2026-05-25T09:00:00+02:00").details == {"reminded:final_notice": 1}
    assert [mail.template for mail in dunning_mails(verified["account_id"])] == ["final_notice"]
    assert run("2026-05-25T10:00:00+02:00").done == 0
    assert run("2026-05-26T09:00:00+02:00").details == {}  # the suspension keeps its day (due + 45)
    assert run("2026-05-30T09:00:00+02:00").details == {"suspended": 1}


def test_a_paid_invoice_is_not_dunned(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)
    total = invoice_json(client, verified, number)["total"]
    headers = {**billing_clerk, **now_header("2026-04-20T12:00:00+02:00"), "Idempotency-Key": "pay-1"}
    assert post_json(client, f"/staff/invoices/{number}/payments", {"amount": total}, headers).status_code == 201
    assert run("2026-06-30T09:00:00+02:00").details == {}
    assert dunning_mails(verified["account_id"]) == []


def test_a_written_off_invoice_of_a_suspended_account_reactivates_it(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)
    run("2026-05-25T09:00:00+02:00")
    run("2026-05-30T09:00:00+02:00")
    assert account_of(verified["account_id"]).suspended_by == {number}
    off = post_json(client, f"/staff/invoices/{number}/write-off", {"reason": "settled"}, billing_clerk)
    assert off.status_code == 200, off.body
    assert account_of(verified["account_id"]).suspended_by is None
    answer = client.http.get(f"/accounts/{verified['account_id']}/invoices", headers=auth(verified))
    assert answer.status_code == 200


def test_deleting_the_account_keeps_the_payments_of_its_invoices(client, outbox_dir, billing_clerk):
    from shared.storage.lifecycle import purge_account
    from shared.storage.payment_models import InvoicePayment

    verified, number = an_invoice(client, outbox_dir)
    headers = {**billing_clerk, **now_header("2026-04-20T12:00:00+02:00"), "Idempotency-Key": "pay-2"}
    assert post_json(client, f"/staff/invoices/{number}/payments", {"amount": "10.00"}, headers).status_code == 201
    account_id = verified["account_id"]
    purge_account(account_id, "test", datetime.fromisoformat("2027-01-01T00:00:00+01:00"), account_of(account_id))
    left = list(CocoonItem.query(f"ACCOUNT#{account_id}"))
    assert sorted(type(item).__name__ for item in left) == ["InvoiceDocument", "InvoicePayment"]
    assert [item.amount for item in left if isinstance(item, InvoicePayment)] == ["10.00"]
