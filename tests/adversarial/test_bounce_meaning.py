"""Bounces that lie about what they mean, tried against the inbox: only an address failure stops mail.

A report of one of OUR mails (genuine Message-ID, signed for the address) still stops nothing
unless what it says means the address is gone: a receiver that answers "5.1.1" for a full
mailbox, a spam filter or a block list, or a report whose text quotes a second message besides
the one it returns, must leave the customer's mail flowing. Each attempt goes through the signed
webhook (the SES path ends in the same `take_in_mail`) and the refusal is "no suppression, the
next acknowledgement is delivered". The last tests show the rule is no blanket refusal: genuine
address failures in non-standard formats, and a 5.2.1 "user unknown" at RCPT TO, do stop mail.
"""

from __future__ import annotations

from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest

from shared.storage.models import CocoonItem, SuppressedAddress
from tests.functional.helpers import (
    ADMIN,
    deliver,
    message_id_of,
    open_ticket_by_mail,
    take_in,
)

LATER = "2026-11-23T11:05:00+01:00"


def _dsn(returned_id: str, *, status: str, diagnostic: str, notice: str = "Your message could not be delivered.",
         quoted_in_text: str | None = None) -> bytes:
    """A multipart/report about ADMIN returning one of our mails; `quoted_in_text` adds a Message-ID to its text."""
    text = notice + (f"\r\n\r\n   Message-ID: {quoted_in_text}" if quoted_in_text else "")
    lines = [
        "From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>", "To: no-reply@cocoon.example",
        "Subject: Undelivered Mail Returned to Sender", f"Message-ID: {make_msgid(domain='mx.customer.example')}",
        "MIME-Version: 1.0", 'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"', "",
        "--B0UND", "Content-Type: text/plain; charset=utf-8", "", text, "",
        "--B0UND", "Content-Type: message/delivery-status", "", "Reporting-MTA: dns; mx.customer.example", "",
        f"Final-Recipient: rfc822; {ADMIN}", "Action: failed", f"Status: {status}",
        f"Diagnostic-Code: smtp; {diagnostic}", "",
        "--B0UND", "Content-Type: message/rfc822", "",
        "From: Cocoon <no-reply@cocoon.example>", f"To: {ADMIN}", "Subject: Your request", f"Message-ID: {returned_id}",
        "", "We have received your request.", "", "--B0UND--",
    ]
    return "\r\n".join(lines).encode("utf-8")


def _prose(notice: str, returned_id: str) -> bytes:
    """A non-RFC 3464 bounce (qmail/Exim style): prose, then the returned mail quoted as text."""
    return (
        "From: MAILER-DAEMON@mx.customer.example\r\nTo: no-reply@cocoon.example\r\nSubject: failure notice\r\n"
        f"Message-ID: {make_msgid(domain='mx.customer.example')}\r\n\r\n{notice}\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\n"
        f"Message-ID: {returned_id}\r\nFrom: Cocoon <no-reply@cocoon.example>\r\nTo: {ADMIN}\r\n"
        "Subject: Your request\r\n\r\nWe have received your request.\r\n"
    ).encode()


def _suppressions() -> list[SuppressedAddress]:
    return [item for item in CocoonItem.scan() if isinstance(item, SuppressedAddress)]


def _ours(client: Any, outbox_dir: Path, subject: str = "Export to Excel fails") -> str:
    """Open a ticket by mail, deliver its acknowledgement: our Message-ID, signed for ADMIN."""
    number = open_ticket_by_mail(client, subject=subject)
    deliver()
    return message_id_of(outbox_dir / f"ticket-ack-{number}.eml")


def _admin_still_gets_mail(client: Any, outbox_dir: Path) -> bool:
    number = open_ticket_by_mail(client, subject="Import fails too")
    deliver(LATER)
    return (outbox_dir / f"ticket-ack-{number}.eml").exists()


@pytest.mark.parametrize("diagnostic", [
    "552 5.1.1 <erika@beispiel.example>: mailbox full, over quota",
    "550 5.1.1 Message rejected as spam by content filter",
    "550 5.1.1 Service unavailable; client host blocked using a block list",
    "550 5.1.1 Your sending IP has a poor reputation",
    "550 5.1.1 Greylisted, too many connections, try again later",
    "550 5.1.1 Unauthenticated email is not accepted due to the domain's DMARC policy",
])
def test_an_address_status_with_the_words_of_another_reason_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path, diagnostic: str,
) -> None:
    # Receivers answer 5.1.1 for anything; the words say the mailbox exists.
    ours = _ours(client, outbox_dir)
    assert take_in(client, _dsn(ours, status="5.1.1", diagnostic=diagnostic)) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


def test_a_notice_that_states_a_soft_reason_for_all_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    ours = _ours(client, outbox_dir)
    bounce = _dsn(ours, status="5.1.1", diagnostic="550 5.1.1 rejected",
                  notice="The recipient's mailbox is full and can't accept messages now.")
    assert take_in(client, bounce) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


def test_a_report_whose_text_quotes_a_second_message_id_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    # One returned part plus another Message-ID in the text: two candidates, so nobody may test guesses.
    ours = _ours(client, outbox_dir)
    guess = ours.replace("@", "x@")
    bounce = _dsn(ours, status="5.1.1", diagnostic="550 5.1.1 user unknown", quoted_in_text=guess)
    assert take_in(client, bounce) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


def test_a_non_standard_bounce_quoting_two_of_our_mails_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    first = _ours(client, outbox_dir, "Export to Excel fails")
    second = _ours(client, outbox_dir, "Printing fails")
    notice = f"<{ADMIN}>:\r\nSorry, no mailbox here by that name. (#5.1.1)"
    bounce = _prose(notice, first).replace(b"\r\nSubject: Your request", f"\r\nMessage-ID: {second}\r\nSubject: x".encode(), 1)
    assert take_in(client, bounce) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


def test_a_refusal_after_data_claiming_user_unknown_stops_no_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    # The server took the recipient at RCPT TO; "user unknown" after DATA is a filter's answer.
    ours = _ours(client, outbox_dir)
    bounce = _dsn(ours, status="5.0.0", diagnostic="550 5.0.0 User unknown (in reply to end of DATA command)")
    assert take_in(client, bounce) == {"outcome": "dropped", "ticket": None}
    assert _suppressions() == []
    assert _admin_still_gets_mail(client, outbox_dir)


@pytest.mark.parametrize("notice", [
    f"<{ADMIN}>:\r\nSorry, no mailbox here by that name. (#5.1.1)",  # qmail
    f"  {ADMIN}\r\n    The recipient name is not recognized",  # Exchange 2003, no code at all
    f"Invalid final delivery userid: {ADMIN}",  # IMail
])
def test_a_genuine_non_standard_bounce_of_ours_does_stop_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path, notice: str,
) -> None:
    ours = _ours(client, outbox_dir)
    assert take_in(client, _prose(notice, ours)) == {"outcome": "dropped", "ticket": None}
    [stopped] = _suppressions()
    assert stopped.source == "inbound-dsn" and stopped.reason.startswith("hard bounce")
    assert not _admin_still_gets_mail(client, outbox_dir)


def test_a_5_2_1_user_unknown_at_rcpt_does_stop_mail_and_a_disabled_one_does_not(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    ours = _ours(client, outbox_dir)
    disabled = _dsn(ours, status="5.2.1", diagnostic="550 5.2.1 The email account that you tried to reach is disabled")
    take_in(client, disabled)
    assert _suppressions() == []
    unknown = _dsn(ours, status="5.2.1", diagnostic="550 5.2.1 <erika@beispiel.example>... User Unknown",
                   notice="host mx said: 550 5.2.1 User Unknown (in reply to RCPT TO command)")
    take_in(client, unknown)
    [stopped] = _suppressions()
    assert stopped.reason == "hard bounce 5.2.1"
