"""What an account unpaid past the last dunning level may try, and the refusal (issue 18, SPEC §15).

Suspended means every tenant API call answers 403 `account_suspended` (not 401, not 200), whatever the
route or method; only the booking that pays the whole invoice (or a write-off) lifts it, and nothing the
account itself sends, or a partial payment, does. A re-run of the job never mails a reminder twice.
"""

from __future__ import annotations

from datetime import datetime

from tests.functional.helpers import an_invoice, auth, body_of, invoice_json, now_header, post_json

SUSPENDED_ON = "2026-05-30T12:00:00+02:00"


def suspended(client, outbox_dir) -> tuple[dict, str]:
    from functions import dunning

    verified, number = an_invoice(client, outbox_dir)  # due 15 April
    dunning.run(datetime.fromisoformat("2026-05-25T09:00:00+02:00"))  # final notice
    dunning.run(datetime.fromisoformat("2026-05-30T09:00:00+02:00"))  # + 45: suspended
    return verified, number


def assert_suspended(response) -> None:
    assert response.status_code == 403, response.body
    assert body_of(response)["error"]["code"] == "account_suspended"


def test_every_tenant_call_of_a_suspended_account_is_403_account_suspended(client, outbox_dir):
    verified, number = suspended(client, outbox_dir)
    account = verified["account_id"]
    headers = {**auth(verified), **now_header(SUSPENDED_ON)}
    for path in (f"/accounts/{account}", f"/accounts/{account}/invoices", f"/accounts/{account}/invoices/{number}",
                 "/tickets/2026-000001"):
        assert_suspended(client.http.get(path, headers=headers))
    assert_suspended(post_json(client, "/tickets", {"subject": "Let me in", "description": "Please."}, headers))
    assert_suspended(post_json(client, f"/accounts/{account}/subscription", {"edition": "solo"}, headers))


def test_a_partial_payment_does_not_lift_the_suspension(client, outbox_dir, billing_clerk):
    verified, number = suspended(client, outbox_dir)
    headers = {**billing_clerk, **now_header(SUSPENDED_ON), "Idempotency-Key": "part-1"}
    assert post_json(client, f"/staff/invoices/{number}/payments", {"amount": "1.00"}, headers).status_code == 201
    assert_suspended(client.http.get(f"/accounts/{verified['account_id']}/invoices", headers=auth(verified)))


def test_paying_the_rest_reactivates_at_once(client, outbox_dir, billing_clerk):
    verified, number = suspended(client, outbox_dir)
    headers = {**billing_clerk, **now_header(SUSPENDED_ON), "Idempotency-Key": "part-2"}
    assert post_json(client, f"/staff/invoices/{number}/payments", {"amount": "1.00"}, headers).status_code == 201
    rest = invoice_json_as_staff_open(number)
    headers["Idempotency-Key"] = "rest-2"
    assert post_json(client, f"/staff/invoices/{number}/payments", {"amount": rest}, headers).status_code == 201
    assert invoice_json(client, verified, number, SUSPENDED_ON)["payment_state"]["state"] == "paid"


def invoice_json_as_staff_open(number: str) -> str:
    from decimal import Decimal

    from shared.storage.payments import find_payable

    invoice = find_payable(number)
    assert invoice is not None
    return f"{Decimal(invoice.document['total']) - Decimal(invoice.paid_amount or '0'):.2f}"


def test_a_rerun_of_the_job_after_a_crash_or_on_another_day_never_mails_a_level_twice(client, outbox_dir):
    from functions import dunning
    from shared.storage.models import CocoonItem, OutboxMail

    verified, number = an_invoice(client, outbox_dir)
    for moment in ("2026-04-22T09:00:00+02:00", "2026-04-22T09:00:00+02:00", "2026-04-30T09:00:00+02:00",
                   "2026-05-05T23:00:00+02:00"):
        dunning.run(datetime.fromisoformat(moment))
    reminders = [item.mail_id for item in CocoonItem.query(f"ACCOUNT#{verified['account_id']}")
                 if isinstance(item, OutboxMail) and item.template == "payment_reminder"]
    assert reminders == [f"dunning-{number}-payment_reminder"]
