"""Privacy, as an attacker (or a curious customer) tries it (SPEC §8, §11; issue 12 item 9).

Internal staff notes, and mails we write to our own staff, never reach anything a customer receives: the GDPR
export, the ticket view, any mail. And a purged account leaves no SeenMail or suppression item behind.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from shared.rules.identity import email_key
from shared.storage.models import Account, CocoonItem, OutboxMail, SeenMail, SuppressedAddress
from tests.functional.helpers import a_raw_mail, auth, body_of, now_header, post_json, run_job, signed_post

NOTE = "INTERNAL-ONLY: the customer's admin seems clueless, bill them extra"
CONTACT = "erika@beispiel.example"


def staff(client, agent, path: str, body: dict, now: str = "2026-11-23T12:00:00+01:00"):
    answer = post_json(client, path, body, {**agent, **now_header(now)})
    assert answer.status_code < 300, answer.body
    return answer


def a_ticket_with_a_note(client, customer, agent) -> str:
    opened = post_json(
        client, "/tickets", {"subject": "Export fails", "description": "Error 500", "impact": "unusable"},
        {**auth(customer), **now_header("2026-11-23T11:00:00+01:00")},
    )
    number = body_of(opened)["number"]
    staff(client, agent, f"/staff/tickets/{number}/notes", {"text": NOTE})
    staff(client, agent, f"/staff/tickets/{number}/replies", {"text": "Fixed: please retry."})
    staff(client, agent, f"/staff/tickets/{number}/state", {"state": "in_progress"})
    return number


def test_an_internal_note_never_appears_in_the_export_the_ticket_view_or_any_mail(client, customer, agent, outbox_dir):
    number = a_ticket_with_a_note(client, customer, agent)

    exported = client.http.get(f"/accounts/{customer['account_id']}/export", headers=auth(customer))
    assert exported.status_code == 200
    assert NOTE not in exported.body.decode()
    kinds = [item.get("kind") for item in body_of(exported)["items"] if item["type"] == "ticket_message"]
    assert sorted(kinds) == ["reply", "request"]

    shown = client.http.get(f"/tickets/{number}", headers=auth(customer))
    assert shown.status_code == 200 and NOTE not in shown.body.decode()

    run_job("sla-watch", "2026-12-10T12:00:00+01:00")  # status updates, and whatever else the jobs mail
    run_job("mail", "2026-12-10T12:01:00+01:00")
    queued = [item for item in CocoonItem.scan() if isinstance(item, OutboxMail)]
    assert queued and all(NOTE not in json.dumps(item.attribute_values, default=str) for item in queued)
    assert all(NOTE not in path.read_text() for path in outbox_dir.glob("*.eml"))


def test_a_mail_to_our_support_lead_is_not_in_the_customers_export(client, customer, agent):
    """The escalation mail names the account and its overdue ticket for our staff: not the customer's to read."""
    opened = post_json(
        client, "/tickets", {"subject": "Export fails", "description": "Error 500", "impact": "unusable"},
        {**auth(customer), **now_header("2026-11-23T11:00:00+01:00")},
    )
    assert opened.status_code == 201
    run_job("sla-watch", "2026-11-23T16:00:00+01:00")  # 4 support hours passed without an answer
    assert any(isinstance(i, OutboxMail) and i.mail_id.startswith("escalation-") for i in CocoonItem.scan())
    exported = client.http.get(f"/accounts/{customer['account_id']}/export", headers=auth(customer))
    assert exported.status_code == 200
    assert "support-lead@cocoon.example" not in exported.body.decode()


def test_after_a_purge_no_seen_mail_or_suppression_of_the_account_remains(client, customer, outbox_dir):
    from shared.storage.lifecycle import purge_account
    from shared.storage.suppressions import suppress

    account_id = customer["account_id"]
    added = post_json(client, f"/accounts/{account_id}/users", {"email": "max@beispiel.example", "name": "Max"},
                      auth(customer))
    assert added.status_code == 201
    assert body_of(signed_post(client, a_raw_mail(CONTACT, "Export fails")))["outcome"] == "ticket_created"
    assert body_of(signed_post(client, a_raw_mail("max@beispiel.example", "Sync stops")))["outcome"] == "ticket_created"
    now = datetime.fromisoformat("2026-11-24T10:00:00+01:00")
    suppress("max@beispiel.example", "hard bounce", now, source="inbound-dsn")
    suppress(CONTACT, "hard bounce", now, source="inbound-dsn")
    suppress("someone@else.example", "hard bounce", now, source="inbound-dsn")  # another account's: must stay
    seen = [item for item in CocoonItem.scan() if isinstance(item, SeenMail)]
    assert len(seen) == 2

    purge_account(account_id, "test", now, Account.get(f"ACCOUNT#{account_id}", "ACCOUNT"))

    assert not [item for item in CocoonItem.scan() if isinstance(item, SeenMail) and item.account_id == account_id]
    for address in (CONTACT, "max@beispiel.example"):
        with pytest.raises(SuppressedAddress.DoesNotExist):
            SuppressedAddress.get(f"SUPPRESS#{email_key(address)}", "SUPPRESS")
    assert SuppressedAddress.get(f"SUPPRESS#{email_key('someone@else.example')}", "SUPPRESS")
