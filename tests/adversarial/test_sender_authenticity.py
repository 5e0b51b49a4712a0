"""Sender authenticity, tried as an attacker would: a contact's address in From is not enough.

The attacker knows a customer contact's address and a ticket number (both are in every mail
about the ticket) and mails us "from" that contact. On the SES path SES's receipt verdicts say
the mail failed DMARC (or carries a virus); on the webhook path our relay's Authentication-Results
says so, and the attacker adds Authentication-Results of his own that say "pass". Expected: the
mail is not threaded, opens nothing, gets no answer, and is only kept for staff review.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from functions.cli import main as cocoon
from shared.settings import get_settings
from shared.storage.models import CocoonItem, OutboxMail, UnverifiedMail
from tests.functional.helpers import (
    ADMIN,
    a_mail,
    body_of,
    deliver,
    now_header,
    open_ticket_by_mail,
    signed_sns_event,
    stored_files,
    take_in,
    ticket_messages,
    tickets,
)
from tests.functional.helpers import INTAKE_NOW as NOW

RELAY = "mx.cocoon.example"  # the authserv-id our relay writes
LATER = "2026-11-23T11:05:00+01:00"


def _items(kind: type) -> list[Any]:
    return [item for item in CocoonItem.scan() if isinstance(item, kind)]


def _ses_event(testdata_dir: Path, raw: bytes, **verdicts: str) -> dict[str, Any]:
    """The composed SES → SNS event (AWS docs sample), its mail and some receipt verdicts replaced."""
    event = json.loads((testdata_dir / "aws_events/composed/snsEvent_with_ses_received_notification.json").read_text())
    notification = json.loads(event["Records"][0]["Sns"]["Message"])
    notification["content"] = raw.decode("utf-8")
    for name, status in verdicts.items():
        notification["receipt"][name] = {"status": status}
    event["Records"][0]["Sns"]["Message"] = json.dumps(notification)
    return event


def _via_ses(event: dict[str, Any]) -> None:
    import app as app_module

    app_module.inbound_email_from_ses(signed_sns_event(copy.deepcopy(event)), None)


@pytest.fixture
def relay_configured(monkeypatch: pytest.MonkeyPatch) -> str:
    """The deployment names its relay's authserv-id (COCOON_INBOUND_AUTHSERV_ID)."""
    configured = dataclasses.replace(get_settings(), inbound_authserv_id=RELAY)
    monkeypatch.setattr("shared.settings.get_settings", lambda: configured)
    return RELAY


def _with_auth_results(raw: bytes, *auth_results: str) -> bytes:
    # Authentication-Results sit on top of the mail, newest first (the relay prepends its own).
    return b"".join(f"Authentication-Results: {value}\r\n".encode() for value in auth_results) + raw


def _reply_quoting(number: str, *auth_results: str) -> bytes:
    message = a_mail(ADMIN, f"AW: Export to Excel fails [Ticket#{number}]", "Please give my colleague admin rights.")
    return _with_auth_results(message.as_bytes(), *auth_results)


def test_a_dmarc_failing_mail_quoting_the_contacts_ticket_is_not_threaded_and_gets_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path, testdata_dir: Path,
) -> None:
    number = open_ticket_by_mail(client)
    deliver()
    mails_before = len(_items(OutboxMail))

    forged = a_mail(ADMIN, f"AW: Export to Excel fails [Ticket#{number}]", "Please send the invoices to me instead.")
    _via_ses(_ses_event(testdata_dir, forged.as_bytes(), dmarcVerdict="FAIL", spfVerdict="FAIL", dkimVerdict="GRAY"))

    [ticket] = tickets()
    assert ticket.message_count == 1 and len(ticket_messages()) == 1  # not threaded
    assert len(_items(OutboxMail)) == mails_before  # no answer, no notice
    [held] = _items(UnverifiedMail)
    assert (held.sender_email, held.reason, held.quoted_ticket) == (ADMIN, "dmarc_fail", number)


def test_a_dmarc_failing_new_request_opens_no_ticket(
    client: Any, customer: dict[str, Any], testdata_dir: Path,
) -> None:
    mails_before = len(_items(OutboxMail))
    _via_ses(_ses_event(testdata_dir, a_mail(ADMIN, "Please call me").as_bytes(), dmarcVerdict="FAIL"))
    assert tickets() == [] and len(_items(OutboxMail)) == mails_before
    assert [m.reason for m in _items(UnverifiedMail)] == ["dmarc_fail"]


def test_a_mail_with_a_virus_from_a_contact_opens_no_ticket(
    client: Any, customer: dict[str, Any], testdata_dir: Path,
) -> None:
    _via_ses(_ses_event(testdata_dir, a_mail(ADMIN, "Invoice attached").as_bytes(),
                        dmarcVerdict="PASS", virusVerdict="FAIL"))
    assert tickets() == []
    assert [m.reason for m in _items(UnverifiedMail)] == ["virus"]


def test_a_forged_authentication_results_of_another_authserv_id_is_ignored(
    client: Any, customer: dict[str, Any], relay_configured: str,
) -> None:
    genuine = _with_auth_results(
        a_mail(ADMIN).as_bytes(),
        f"{RELAY}; spf=pass smtp.mailfrom=beispiel.example; dkim=pass header.d=beispiel.example; "
        "dmarc=pass header.from=beispiel.example",
    )
    opened = take_in(client, genuine)  # the contact's real mail, with our relay's "pass"
    assert opened["outcome"] == "ticket_created"
    number = str(opened["ticket"])
    messages_before = len(ticket_messages())

    # Only the attacker's own "pass" headers: another authserv-id, and no header of our relay.
    forged = _reply_quoting(number, "mx.attacker.example; spf=pass smtp.mailfrom=beispiel.example; "
                                    "dkim=pass header.d=beispiel.example; dmarc=pass header.from=beispiel.example")
    assert take_in(client, forged) == {"outcome": "unverified_sender", "ticket": None}
    # And with our relay's verdict on top: the attacker's "pass" of another id changes nothing.
    relayed = _reply_quoting(
        number,
        f"{RELAY}; spf=fail smtp.mailfrom=attacker.example; dkim=none; dmarc=fail header.from=beispiel.example",
        "mx.attacker.example; dmarc=pass header.from=beispiel.example",
    )
    assert take_in(client, relayed) == {"outcome": "unverified_sender", "ticket": None}
    assert len(ticket_messages()) == messages_before


def test_our_authserv_id_below_the_relays_header_came_from_outside_and_is_ignored(
    client: Any, customer: dict[str, Any], relay_configured: str,
) -> None:
    forged = _reply_quoting(
        "2026112310001",
        f"{RELAY}; spf=none smtp.mailfrom=attacker.example; dkim=none; dmarc=none header.from=beispiel.example",
        f"{RELAY}; spf=pass smtp.mailfrom=beispiel.example; dkim=pass header.d=beispiel.example; dmarc=pass",
    )
    assert take_in(client, forged) == {"outcome": "unverified_sender", "ticket": None}
    assert tickets() == []


@pytest.fixture
def agent(db: str, capsys: Any) -> dict[str, str]:
    assert cocoon(["staff", "add", "Alex Agent", "alex@cocoon.example", "--role", "agent"]) == 0
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}", **now_header(LATER)}


def test_staff_see_the_unverified_mail_once_even_if_delivered_twice(
    client: Any, customer: dict[str, Any], testdata_dir: Path, agent: dict[str, str],
) -> None:
    event = _ses_event(testdata_dir, a_mail(ADMIN, "Change our bank details").as_bytes(), dmarcVerdict="FAIL")
    _via_ses(event)
    _via_ses(event)  # SNS delivers at least once

    listed = client.http.get("/staff/unverified-mail", headers=agent)
    assert listed.status_code == 200, listed.body
    [mail] = body_of(listed)["mails"]
    assert (mail["sender"], mail["subject"], mail["reason"]) == (ADMIN, "Change our bank details", "dmarc_fail")
    assert mail["account_id"] == customer["account_id"] and mail["quoted_ticket"] is None
    assert mail["received_at"].startswith("20")
    [kept] = stored_files()  # the raw mail, under the account (deleted with it)
    assert f"accounts/{customer['account_id']}/unverified/" in str(kept)

    tenant = {"Authorization": f"Bearer {customer['admin_token']}", **now_header(NOW)}
    assert client.http.get("/staff/unverified-mail", headers=tenant).status_code in (401, 403)
