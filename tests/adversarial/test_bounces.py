"""Bounces from the inbox, tried as an attacker would: forged reports must stop no mail.

Each test sends a bounce to the signed webhook (the relay's path; the SES path ends in the same
`take_in_mail`) and then checks the outbox: a suppressed address gets nothing, so "the next
acknowledgement is still delivered" is the refusal. The last tests show that a genuine hard bounce
of one of our mails still stops mail to that address, records why, and that staff can lift it.
"""

from __future__ import annotations

import itertools
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest

from functions.cli import main as cocoon
from shared.storage.models import CocoonItem, SuppressedAddress
from tests.functional.helpers import (
    ADMIN,
    body_of,
    deliver,
    message_id_of,
    now_header,
    open_ticket_by_mail,
    post_json,
    take_in,
)

LATER = "2026-11-23T11:05:00+01:00"


def _report(recipient: str, returned: list[str], *, status: str = "5.1.1", failed_header: str | None = None,
            with_status_part: bool = True) -> bytes:
    """A multipart/report DSN naming `recipient`, returning one message/rfc822 part per Message-ID."""
    lines = [
        "From: Mail Delivery System <MAILER-DAEMON@mx.attacker.example>",
        "To: no-reply@cocoon.example",
        "Subject: Undelivered Mail Returned to Sender",
        f"Message-ID: {make_msgid(domain='mx.attacker.example')}",
        "Date: Mon, 23 Nov 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"',
    ]
    if failed_header:
        lines.append(f"X-Failed-Recipients: {failed_header}")
    lines += ["", "--B0UND", "Content-Type: text/plain; charset=us-ascii", "", "Your message could not be delivered.", ""]
    if with_status_part:
        lines += [
            "--B0UND", "Content-Type: message/delivery-status", "",
            "Reporting-MTA: dns; mx.attacker.example", "",
            f"Final-Recipient: rfc822; {recipient}", "Action: failed", f"Status: {status}",
            f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: rejected", "",
        ]
    for message_id in returned:
        lines += [
            "--B0UND", "Content-Type: message/rfc822", "",
            "From: Cocoon <no-reply@cocoon.example>", f"To: {recipient}", "Subject: Your request",
            f"Message-ID: {message_id}", "Auto-Submitted: auto-generated", "", "We have received your request.", "",
        ]
    lines.append("--B0UND--")
    return "\r\n".join(lines).encode("ascii")


def _suppressions() -> list[SuppressedAddress]:
    return [item for item in CocoonItem.scan() if isinstance(item, SuppressedAddress)]


def _our_acknowledgement(client: Any, outbox_dir: Path, subject: str = "Export to Excel fails") -> tuple[str, str]:
    """Open a ticket by mail and deliver its acknowledgement: (ticket number, our Message-ID sent to ADMIN)."""
    number = open_ticket_by_mail(client, subject=subject)
    deliver()
    return number, message_id_of(outbox_dir / f"ticket-ack-{number}.eml")


def _admin_still_gets_mail(client: Any, outbox_dir: Path) -> bool:
    number = open_ticket_by_mail(client, subject="Import fails too")
    deliver(LATER)
    return (outbox_dir / f"ticket-ack-{number}.eml").exists()


def test_a_forged_dsn_with_256_guessed_signatures_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    number, _ = _our_acknowledgement(client, outbox_dir)
    # The attacker knows our Message-ID format and the ticket number (it is in every subject), not
    # the secret: one attached message per guess of one-character signatures covers every guess.
    guesses = [f"<ticket-ack-{number}.{a}.{b}@mail.cocoon.example>" for a, b in itertools.product("0123456789abcdef", repeat=2)]
    assert len(guesses) == 256
    forged = _report(ADMIN, guesses, failed_header=ADMIN)

    assert take_in(client, forged) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


def test_a_dsn_returning_two_of_our_mails_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    _, first = _our_acknowledgement(client, outbox_dir, "Export to Excel fails")
    _, second = _our_acknowledgement(client, outbox_dir, "Printing fails")
    # Both Message-IDs are genuine and were sent to ADMIN; a report about one mail returns one.
    assert take_in(client, _report(ADMIN, [first, second])) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


@pytest.mark.parametrize("status", ["5.2.2", "5.7.1", "5.0.0", "5.2.1"])
def test_a_soft_or_policy_bounce_of_a_real_mail_of_ours_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path, status: str,
) -> None:
    # Mailbox full, refused by policy or spam filter, unspecific, suspended: the address is not gone.
    _, ours = _our_acknowledgement(client, outbox_dir)
    assert take_in(client, _report(ADMIN, [ours], status=status)) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


def test_x_failed_recipients_without_a_status_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    # Exim/Gmail name the failed recipient in a header, but not why: a full mailbox looks the same.
    _, ours = _our_acknowledgement(client, outbox_dir)
    bounce = _report(ADMIN, [ours], failed_header=ADMIN, with_status_part=False)
    assert take_in(client, bounce) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


def test_a_real_hard_bounce_of_ours_still_stops_mail_and_records_why(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    _, ours = _our_acknowledgement(client, outbox_dir)
    assert take_in(client, _report(ADMIN, [ours], status="5.1.1")) == {"outcome": "dropped", "ticket": None}

    [stopped] = _suppressions()
    assert (stopped.source, stopped.reason) == ("inbound-dsn", "hard bounce 5.1.1")
    assert not _admin_still_gets_mail(client, outbox_dir)


@pytest.fixture
def agent(db: str, capsys: Any) -> dict[str, str]:
    assert cocoon(["staff", "add", "Alex Agent", "alex@cocoon.example", "--role", "agent"]) == 0
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}", **now_header(LATER)}


def test_staff_lift_a_suppression_and_the_address_gets_mail_again(
    client: Any, customer: dict[str, Any], outbox_dir: Path, agent: dict[str, str],
) -> None:
    _, ours = _our_acknowledgement(client, outbox_dir)
    take_in(client, _report(ADMIN, [ours], status="5.1.1"))
    assert len(_suppressions()) == 1

    lifted = post_json(client, "/staff/suppressions/lift", {"email": "Erika@Beispiel.example"}, agent)
    assert lifted.status_code == 200, lifted.body
    assert body_of(lifted) == {"email": ADMIN, "lifted": True}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)

    again = post_json(client, "/staff/suppressions/lift", {"email": ADMIN}, agent)
    assert again.status_code == 404 and body_of(again)["error"]["fields"] == {"email": "not suppressed"}
    bad = post_json(client, "/staff/suppressions/lift", {"email": "not an address"}, agent)
    assert bad.status_code == 400 and "email" in body_of(bad)["error"]["fields"]


def test_lifting_a_suppression_needs_an_agent(
    client: Any, customer: dict[str, Any], outbox_dir: Path, capsys: Any,
) -> None:
    _, ours = _our_acknowledgement(client, outbox_dir)
    take_in(client, _report(ADMIN, [ours], status="5.1.1"))
    assert cocoon(["staff", "add", "Bea Billing", "bea@cocoon.example", "--role", "billing"]) == 0
    billing = {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}"}

    tenant = {"Authorization": f"Bearer {customer['admin_token']}"}
    assert post_json(client, "/staff/suppressions/lift", {"email": ADMIN}, tenant).status_code in (401, 403)
    assert post_json(client, "/staff/suppressions/lift", {"email": ADMIN}, billing).status_code == 403
    assert post_json(client, "/staff/suppressions/lift", {"email": ADMIN}, {}).status_code == 401
    assert len(_suppressions()) == 1
