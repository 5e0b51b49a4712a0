"""An attacker (or an unlucky client) reusing one Idempotency-Key across resources never gets another's answer.

The key is bound to the caller, the method and the concrete path (SPEC §11): the
same key and body on another account or ticket is another request.
"""

from __future__ import annotations

import pytest

from functions.cli import main as cocoon
from shared.storage.models import Account, CocoonItem, TicketMessage
from tests.functional.helpers import auth, body_of, now_header, post_json, signup_and_verify

KEY = {"Idempotency-Key": "same-key-everywhere"}
LATER = "2026-11-18T10:00:00+01:00"


def _customer(client, outbox_dir, email: str) -> dict:
    verified = signup_and_verify(client, outbox_dir, email=email, now="2026-09-01T10:00:00+02:00")
    converted = post_json(
        client,
        f"/accounts/{verified['account_id']}/subscription",
        {"edition": "team"},
        {**auth(verified), **now_header("2026-09-05T10:00:00+02:00")},
    )
    assert converted.status_code == 200, converted.body
    return verified


@pytest.fixture
def two_customers(client, outbox_dir):
    return _customer(client, outbox_dir, "c@cee.example"), _customer(client, outbox_dir, "d@dee.example")


@pytest.fixture
def staff_auth(db, capsys):
    assert cocoon(["staff", "add", "Sam", "sam@cocoon.example", "--role", "agent"]) == 0
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}"}


def _cancellation_of(account_id: str):
    return Account.get(f"ACCOUNT#{account_id}", "ACCOUNT", consistent_read=True).cancellation


def test_one_key_on_two_accounts_cancellations_records_both_letters(client, two_customers, staff_auth):
    c, d = two_customers
    letter = {"received_on": "2026-11-16", "channel": "letter"}
    headers = {**staff_auth, **KEY, **now_header(LATER)}
    first = post_json(client, f"/staff/accounts/{c['account_id']}/cancellation", letter, headers)
    second = post_json(client, f"/staff/accounts/{d['account_id']}/cancellation", letter, headers)
    assert (first.status_code, second.status_code) == (201, 201), (first.body, second.body)
    assert _cancellation_of(c["account_id"]) is not None
    assert _cancellation_of(d["account_id"]) is not None, "D's written notice was answered with C's and lost"


def test_one_key_on_a_customer_and_a_trial_account_gives_each_its_own_answer(client, outbox_dir, staff_auth):
    customer = _customer(client, outbox_dir, "c@cee.example")
    trial = signup_and_verify(client, outbox_dir, email="t@tee.example", now="2026-11-10T10:00:00+01:00")
    letter = {"received_on": "2026-11-16", "channel": "letter"}
    headers = {**staff_auth, **KEY, **now_header(LATER)}
    first = post_json(client, f"/staff/accounts/{customer['account_id']}/cancellation", letter, headers)
    second = post_json(client, f"/staff/accounts/{trial['account_id']}/cancellation", letter, headers)
    assert body_of(first)["status"] == "recorded"
    assert (second.status_code, body_of(second)["status"]) == (200, "not_needed")


def test_one_key_on_two_tickets_adds_the_message_to_both(client, outbox_dir):
    customer = signup_and_verify(client, outbox_dir, now="2026-11-02T10:00:00+01:00")
    headers = {**auth(customer), **now_header("2026-11-23T11:00:00+01:00")}
    numbers = []
    for subject in ("Export fails", "Import fails"):
        opened = post_json(client, "/tickets", {"subject": subject, "description": "Error 500"}, headers)
        assert opened.status_code == 201, opened.body
        numbers.append(body_of(opened)["number"])
    text = {"text": "It happens again since this morning."}
    answers = [post_json(client, f"/tickets/{number}/messages", text, {**headers, **KEY}) for number in numbers]
    assert [body_of(answer)["number"] for answer in answers] == numbers, "ticket B answered with ticket A"
    added = [
        m for m in CocoonItem.scan(consistent_read=True) if isinstance(m, TicketMessage) and m.text == text["text"]
    ]
    assert len(added) == 2


def test_the_same_key_and_body_on_the_same_resource_is_still_answered_once(client, outbox_dir):
    customer = signup_and_verify(client, outbox_dir, now="2026-11-02T10:00:00+01:00")
    headers = {**auth(customer), **now_header("2026-11-23T11:00:00+01:00")}
    number = body_of(post_json(client, "/tickets", {"subject": "S", "description": "D"}, headers))["number"]
    text = {"text": "once"}
    first = post_json(client, f"/tickets/{number}/messages", text, {**headers, **KEY})
    again = post_json(client, f"/tickets/{number}/messages", text, {**headers, **KEY})
    assert (first.status_code, again.status_code) == (201, 201)
    assert body_of(first) == body_of(again)
    added = [m for m in CocoonItem.scan(consistent_read=True) if isinstance(m, TicketMessage) and m.text == "once"]
    assert len(added) == 1


def test_a_tenant_replaying_another_tenants_key_and_body_never_gets_their_answer(client, outbox_dir):
    alice = signup_and_verify(client, outbox_dir, email="a@alice.example", now="2026-11-02T10:00:00+01:00")
    mallory = signup_and_verify(client, outbox_dir, email="m@mallory.example", now="2026-11-02T10:00:00+01:00")
    ticket = {"subject": "Invoice question", "description": "Our invoice looks wrong"}
    moment = now_header("2026-11-23T11:00:00+01:00")
    theirs = post_json(client, "/tickets", ticket, {**auth(alice), **KEY, **moment})
    replay = post_json(client, "/tickets", ticket, {**auth(mallory), **KEY, **moment})
    assert (theirs.status_code, replay.status_code) == (201, 201)
    assert body_of(replay)["number"] != body_of(theirs)["number"]
    alice_ticket = client.http.get(f"/tickets/{body_of(theirs)['number']}", headers=auth(mallory))
    assert alice_ticket.status_code == 404


def test_an_anonymous_key_on_another_path_is_another_request(client, outbox_dir):
    """Strangers share the public scope: the method and path still keep their keys apart."""
    from tests.functional.helpers import signup_fields

    moment = now_header("2026-11-23T11:00:00+01:00")
    signup = post_json(client, "/signup", signup_fields(admin_email="s@stranger.example"), {**KEY, **moment})
    web_form = post_json(client, "/tickets", {"email": "s@stranger.example", "description": "Help"}, {**KEY, **moment})
    assert signup.status_code == 202, signup.body
    assert web_form.status_code != 202 and "verification_sent" not in web_form.body.decode()


def test_a_path_value_with_a_slash_cannot_pose_as_another_resource():
    from shared.api.routing import Access, RouteSpec

    spec = RouteSpec("POST", "/tickets/{number}/messages", Access.TENANT, "add a message")
    assert spec.resource_key({"number": "1"}) == "POST /tickets/1/messages"
    assert spec.resource_key({"number": "1/messages"}) != RouteSpec(
        "POST", "/tickets/{number}/messages/messages", Access.TENANT, "x"
    ).resource_key({"number": "1"})
