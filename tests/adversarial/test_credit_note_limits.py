"""Credit notes at their boundary: no one credits more than was invoiced, or what is not theirs to credit.

Each test is the attempt with the expected refusal: a credit over what is left (alone and by two racing
staff members), an unknown line, a negative amount, a role without billing rights, another account's
invoice, and a credit note read by another account. Nothing is half-written by a refused attempt.
"""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from functions import billing
from shared.storage.models import CocoonItem, CreditNoteDocument, OutboxMail
from tests.functional.helpers import auth, body_of, now_header, post_json, signup_and_verify

NOW = "2026-04-10T10:00:00+02:00"


@pytest.fixture
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


def staff(capsys, role: str, name: str = "Bea") -> dict[str, str]:
    from functions.cli import main as cocoon

    assert cocoon(["staff", "add", name, f"{name.lower()}@cocoon.example", "--role", role]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {token}", **now_header(NOW)}


def credit(client, account_id, headers, body, number="2026-000001"):
    return post_json(client, f"/staff/accounts/{account_id}/invoices/{number}/credit-notes", body, headers)


def credit_items(account_id: str) -> list[str]:
    """Every credit note and credit mail of the account: what a refused attempt must not leave behind."""
    return sorted(
        item.sk
        for item in CocoonItem.query(f"ACCOUNT#{account_id}")
        if isinstance(item, CreditNoteDocument) or (isinstance(item, OutboxMail) and "credit" in item.sk)
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "x", "lines": [{"line": 1, "amount": "100000.00"}]}, "lines.0.amount"),
        ({"reason": "x", "lines": [{"line": 99}]}, "lines.0"),
        ({"reason": "x", "lines": [{"line": 1, "amount": "-5.00"}]}, "lines.0.amount"),
        ({"reason": "x", "lines": [{"line": 1, "amount": "0.001"}]}, "lines.0.amount"),
        ({"reason": "x", "lines": [{"line": 1}, {"line": 1}]}, "lines"),
        ({"reason": "x", "lines": []}, "lines"),
        ({"reason": ""}, "reason"),
    ],
)
def test_a_bad_credit_is_refused_naming_the_field_and_writes_nothing(client, billed, capsys, body, field):
    account_id = billed["account_id"]
    response = credit(client, account_id, staff(capsys, "billing"), body)
    assert 400 <= response.status_code < 500, response.body
    assert field in response.json_body["error"]["fields"], response.json_body
    assert credit_items(account_id) == []


def test_crediting_more_than_is_left_after_an_earlier_credit_is_refused(client, billed, capsys):
    account_id, headers = billed["account_id"], staff(capsys, "billing")
    assert (
        credit(client, account_id, headers, {"reason": "x", "lines": [{"line": 1, "amount": "10.00"}]}).status_code
        == 201
    )
    line = body_of(client.http.get(f"/accounts/{account_id}/invoices/2026-000001", headers=auth(billed)))["lines"][0]
    over = f"{float(line['amount']) - 10 + 0.01:.2f}"
    refused = credit(client, account_id, headers, {"reason": "y", "lines": [{"line": 1, "amount": over}]})
    assert refused.status_code == 422 and "lines.0.amount" in refused.json_body["error"]["fields"]
    assert len([sk for sk in credit_items(account_id) if sk.startswith("CREDIT#")]) == 1


def test_two_staff_members_racing_cannot_together_credit_more_than_the_invoice(client, billed, capsys):
    account_id = billed["account_id"]
    bea, kim = staff(capsys, "billing", "Bea"), staff(capsys, "billing", "Kim")
    answers: list[int] = []

    def full_credit(headers: dict[str, str]) -> None:
        answers.append(credit(client, account_id, headers, {"reason": "storniert"}).status_code)

    racers = [threading.Thread(target=full_credit, args=(h,)) for h in (bea, kim, bea, kim)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sorted(answers) == [201, 422, 422, 422]
    notes = [i for i in CocoonItem.query(f"ACCOUNT#{account_id}") if isinstance(i, CreditNoteDocument)]
    assert [n.number for n in notes] == ["G2026-000001"]


def test_an_agent_without_billing_rights_cannot_credit(client, billed, capsys):
    response = credit(client, billed["account_id"], staff(capsys, "agent"), {"reason": "x"})
    assert response.status_code == 403
    assert credit_items(billed["account_id"]) == []


def test_an_invoice_is_credited_only_under_its_own_account(client, billed, capsys, outbox_dir):
    other = signup_and_verify(client, outbox_dir, email="o@other.example")
    response = credit(client, other["account_id"], staff(capsys, "billing"), {"reason": "x"})
    assert response.status_code == 404
    assert credit_items(billed["account_id"]) == [] and credit_items(other["account_id"]) == []


def test_another_account_cannot_read_a_credit_note(client, billed, capsys, outbox_dir):
    number = body_of(credit(client, billed["account_id"], staff(capsys, "billing"), {"reason": "x"}))["number"]
    other = signup_and_verify(client, outbox_dir, email="o@other.example")
    for path in (
        f"/accounts/{other['account_id']}/credit-notes/{number}",
        f"/accounts/{billed['account_id']}/credit-notes/{number}",
    ):
        assert client.http.get(path, headers=auth(other)).status_code in (403, 404)
