"""What a bounce means, measured on real bounces and tried on invented wordings of each class.

The corpus (40 real bounces, sisimai's expectations) is measured as a whole: no soft or policy
bounce may yield an address failure, and at least 90 % of the hard bounces' addresses must be
found as address failures. The invented variants keep the rule honest beyond the corpus: they
are the wording classes, not the corpus strings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.mail.inbound.parse import parse_inbound_mail
from shared.rules.bounce_meaning import BounceMeaning, SmtpStage, meaning_of, smtp_stage, status_in_text

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _corpus(testdata_dir: Path) -> list[tuple[str, list[dict[str, Any]], set[str]]]:
    """(file, expected rows, addresses found as address failures) for every corpus bounce."""
    folder = testdata_dir / "bounces"
    expected: dict[str, list[dict[str, Any]]] = json.loads((folder / "expected.json").read_text())
    measured = []
    for name, rows in expected.items():
        mail = parse_inbound_mail((folder / name).read_bytes(), max_attachment_bytes=MAX_ATTACHMENT_BYTES)
        measured.append((name, rows, {r.address for r in mail.bounced_recipients if r.stops_mail}))
    return measured


def test_the_corpus_has_no_wrong_suppression_and_finds_nine_in_ten_address_failures(testdata_dir: Path) -> None:
    measured = _corpus(testdata_dir)
    assert len(measured) == 40
    wrong = [(name, found) for name, rows, found in measured if found and not any(r["hardbounce"] for r in rows)]
    assert wrong == []
    hard = sum(sum(r["hardbounce"] for r in rows) for _, rows, _ in measured)
    found = sum(min(len(found), sum(r["hardbounce"] for r in rows)) for _, rows, found in measured)
    assert hard == 17
    assert found / hard >= 0.9, (found, hard)
    # A report with a hard and a soft recipient stops only the hard one.
    mixed = dict((name, found) for name, _, found in measured)
    assert mixed["lhost-gmx-03.eml"] == {"mikeneko@example.co.jp"}
    assert mixed["lhost-postfix-02.eml"] == {"filtered@example.co.jp", "userunknown@example.co.jp"}


def test_non_standard_formats_are_understood(testdata_dir: Path) -> None:
    """qmail-like Exim prose, Exchange 2003, Lotus Notes (Japanese), DragonFly, IMail, Mail.Ru: no DSN part."""
    found = {name: addresses for name, _, addresses in _corpus(testdata_dir)}
    assert found["lhost-exchange2003-03.eml"] == {"kijitora@example.jp"}
    assert found["lhost-notes-02.eml"] == {"kijitora@u1.example.co.jp"}
    assert found["lhost-dragonfly-11.eml"] == {"hostunknown@libsisimai.net"}
    assert found["lhost-imailserver-03.eml"] == {"kijitora@neko.example.co.jp"}
    assert found["lhost-mailru-06.eml"] == {"nyan@haineko.org"}
    assert found["lhost-qmail-05.eml"] == set()  # "Unable to contact LDAP server (#4.4.3)": temporary


ADDRESS_FAILURES = [
    ("5.1.1", "smtp; 550 5.1.1 <a@b.example>: Recipient address rejected: User unknown in virtual mailbox table"),
    ("5.1.1", "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking"),
    ("5.1.2", "smtp; 550 5.1.2 Host unknown (Name server: mx.nowhere.example: host not found)"),
    ("5.1.10", "556 5.1.10 Recipient address has null MX"),
    ("5.1.6", "551 5.1.6 User has moved; please try <new@b.example>"),
    ("5.1.1", "550 5.1.1 <x@icloud.example>: inactive email address (in reply to RCPT TO command)"),
    ("", "553 sorry, no mailbox here by that name. (#5.1.1)"),
    ("", "The recipient name is not recognized"),
    ("", "Recipient address rejected: undeliverable address: unknown user"),
    ("5.0.0", "550 5.0.0 <x@b.example>... No such user here"),
    ("5.0.0", "554 delivery error: dd This user doesn't have a example.com account (x@b.example) [0]"),
    ("", "User not listed in public Name & Address Book"),
    ("", "Unrouteable address"),
    ("5.2.1", "550 5.2.1 <x@b.example>... User Unknown (in reply to RCPT TO command)"),
    ("5.7.1", ">>> RCPT TO:<x@b.example> <<< 553 Invalid recipient x@b.example"),
    ("", "550 Benutzer unbekannt"),
    ("", "550 Empfänger existiert nicht"),
    ("", "550 Utilisateur inconnu"),
    ("", "550 Le destinataire n'existe pas"),
    ("", "550 Usuario desconocido"),
    ("", "550 La cuenta no existe"),
    ("", "550 Utente sconosciuto"),
    ("", "550 Onbekende gebruiker"),
    ("", "550 Użytkownik nie istnieje"),
    ("", "550 Adresát neexistuje"),
    ("", "550 Пользователь не существует"),
    ("", "宛先のメールアドレスは存在しません"),
    ("", "收件人不存在"),
    ("", "550 Mailbox has been closed"),
]


@pytest.mark.parametrize(("status", "diagnostic"), ADDRESS_FAILURES)
def test_address_failures_stop_mail(status: str, diagnostic: str) -> None:
    verdict = meaning_of(status, diagnostic)
    assert verdict.meaning is BounceMeaning.ADDRESS_FAILURE, verdict
    assert verdict.stops_mail


NEVER = [
    # Full mailboxes, in several words and languages
    ("5.2.2", "552 5.2.2 <x@b.example>: Mailbox full", BounceMeaning.MAILBOX_FULL),
    ("5.0.0", "550 5.0.0 user unknown: over quota", BounceMeaning.MAILBOX_FULL),
    ("", "Recipient mailbox is full and cannot accept messages", BounceMeaning.MAILBOX_FULL),
    ("5.1.1", "550 5.1.1 The user's quota has been exceeded", BounceMeaning.MAILBOX_FULL),
    ("", "552 Postfach voll", BounceMeaning.MAILBOX_FULL),
    ("", "552 Boîte pleine", BounceMeaning.MAILBOX_FULL),
    ("", "552 Buzón lleno", BounceMeaning.MAILBOX_FULL),
    ("", "Почтовый ящик переполнен", BounceMeaning.MAILBOX_FULL),
    # Suspended or disabled mailboxes: they come back
    ("5.2.1", "550 5.2.1 The email account that you tried to reach is disabled.", BounceMeaning.SUSPENDED),
    ("5.2.1", "550 5.2.1 <x@b.example>... User Unknown", BounceMeaning.SUSPENDED),  # no RCPT stage said
    ("5.0.0", "The user(s) account is disabled. 550 user unknown (in reply to RCPT TO command)",
     BounceMeaning.SUSPENDED),
    ("", "550 Account suspended, user unknown", BounceMeaning.SUSPENDED),
    # Spam, content, filters
    ("5.6.0", "554 5.6.0 This message has been scored as spam", BounceMeaning.CONTENT_REJECTED),
    ("5.1.1", "550 5.1.1 Message rejected by content filter: user unknown", BounceMeaning.CONTENT_REJECTED),
    ("5.0.0", "550 5.0.0 User unknown (in reply to end of DATA command)", BounceMeaning.CONTENT_REJECTED),
    ("5.0.0", ">>> DATA <<< 550 <x@b.example>... User unknown", BounceMeaning.CONTENT_REJECTED),
    ("", "554 Virus found in message", BounceMeaning.CONTENT_REJECTED),
    # Policy, reputation, authentication, the sender
    ("5.7.1", "550 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org", BounceMeaning.POLICY),
    ("5.7.26", "550 5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy",
     BounceMeaning.POLICY),
    ("5.1.8", "501 5.1.8 Sender address rejected", BounceMeaning.POLICY),
    ("5.7.1", "550 5.7.1 <x@b.example>: Relay access denied", BounceMeaning.POLICY),
    ("5.7.1", "554 5.7.1 Recipient address rejected: Access denied", BounceMeaning.POLICY),
    ("5.0.0", "550 Your IP has a poor reputation, no such user checks were made", BounceMeaning.POLICY),
    ("5.7.1", "550 5.7.1 Invalid recipient", BounceMeaning.POLICY),  # no stage: a 5.7 code means policy
    # Rate limits and greylisting
    ("4.7.1", "451 4.7.1 Greylisted, please try again later", BounceMeaning.TEMPORARY),
    ("5.0.0", "550 Greylisted for 5 minutes", BounceMeaning.RATE_LIMITED),
    ("5.0.0", "550 Too many recipients: user unknown", BounceMeaning.RATE_LIMITED),
    ("", "421 rate limit exceeded", BounceMeaning.TEMPORARY),
    # Expired queues, networks, the receiver's own failures
    ("4.4.7", "Delivery to the following recipients has been delayed", BounceMeaning.TEMPORARY),
    ("5.4.7", "Message expired after 5 days in queue", BounceMeaning.EXPIRED),
    ("", "retry timeout exceeded", BounceMeaning.EXPIRED),
    ("5.4.6", "554 5.4.6 Hop count exceeded - possible mail loop", BounceMeaning.NETWORK_OR_SYSTEM),
    ("5.0.0", "lost connection with mx.b.example while performing the HELO handshake",
     BounceMeaning.NETWORK_OR_SYSTEM),
    # Nothing says why
    ("5.0.0", "550 5.0.0 Requested action not taken: mailbox unavailable", BounceMeaning.UNKNOWN),
    ("", "", BounceMeaning.UNKNOWN),
]


@pytest.mark.parametrize(("status", "diagnostic", "meaning"), NEVER)
def test_soft_policy_and_unknown_failures_never_stop_mail(status: str, diagnostic: str, meaning: BounceMeaning) -> None:
    verdict = meaning_of(status, diagnostic)
    assert verdict.meaning is meaning, verdict
    assert not verdict.stops_mail


@pytest.mark.parametrize("diagnostic", [
    "550 <this-user-does-not-exist@b.example>: mailbox full",  # the "wording" is a local part
    "550 <no-such-user@b.example> rejected",
    "550 rejected, see https://support.example/?p=NoSuchUser",  # the "wording" is in a link
    "550 blocked, see https://mx.example/reason/#userunknown",
])
def test_addresses_and_links_are_not_wording(diagnostic: str) -> None:
    assert not meaning_of("5.0.0", diagnostic).stops_mail


def test_the_stage_of_a_refusal() -> None:
    assert smtp_stage("host mx said: 550 5.1.1 user unknown (in reply to RCPT TO command)") is SmtpStage.RCPT
    assert smtp_stage("said: 554 5.7.1 spam (in reply to end of DATA command)") is SmtpStage.DATA
    assert smtp_stage(">>> RCPT To:<x@b.example>\n<<< 250 ok\n>>> DATA\n<<< 550 no") is SmtpStage.DATA
    assert smtp_stage("SMTP error from remote mail server after RCPT TO:<x@b.example>:") is SmtpStage.RCPT
    assert smtp_stage("<<< 503 5.0.0 Need RCPT (recipient)") is None
    # An explicit stage wins over the words.
    assert meaning_of("5.2.1", "User Unknown", stage=SmtpStage.RCPT).stops_mail
    assert not meaning_of("5.0.0", "User Unknown", stage=SmtpStage.DATA).stops_mail


def test_status_codes_in_free_text() -> None:
    assert status_in_text("host 192.0.2.17: 550 5.1.1 unknown") == "5.1.1"
    assert status_in_text("(version 4.8.5.36) 550 user unknown") == "5.0.0"  # not a version number
    assert status_in_text("Unable to contact LDAP server. (#4.4.3)") == "4.4.3"
    assert status_in_text("ERROR_CODE :421, Host not reachable") == "4.0.0"
    assert status_in_text("aborted after 5.0 hour(s)") is None


def _ses_messages(testdata_dir: Path) -> list[dict[str, Any]]:
    messages = []
    for path in sorted((testdata_dir / "ses_notifications").glob("*.json")):
        notification = json.loads(path.read_text())
        if "Message" in notification:  # an SNS envelope around it
            notification = json.loads(notification["Message"])
        messages.append(notification)
    return messages


def test_ses_bounce_notifications_are_classified_consistently_with_their_bounce_type(testdata_dir: Path) -> None:
    """SES decides by bounceType (shared/rules/ses_events.py); the same rule must agree with it."""
    checked = 0
    for notification in _ses_messages(testdata_dir):
        if notification.get("notificationType") != "Bounce":
            continue
        bounce = notification["bounce"]
        for recipient in bounce["bouncedRecipients"]:
            verdict = meaning_of(recipient.get("status", ""), recipient.get("diagnosticCode", ""))
            assert verdict.stops_mail is (bounce["bounceType"] == "Permanent"), (recipient, verdict)
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize(("bounce_type", "status", "diagnostic"), [
    ("Transient", "4.2.2", "smtp; 452 4.2.2 Mailbox full"),
    ("Transient", "5.2.2", "smtp; 552 5.2.2 Mailbox full"),  # SES calls a full mailbox Transient
    ("Transient", "5.7.1", "smtp; 550 5.7.1 Message rejected as spam"),
    ("Undetermined", "", ""),
    ("Permanent", "5.1.1", "smtp; 550 5.1.1 <x@b.example>: Recipient address rejected: User unknown"),
    ("Permanent", "5.1.2", "smtp; 550 5.1.2 Host unknown"),
])
def test_invented_ses_bounces_agree_with_their_bounce_type(bounce_type: str, status: str, diagnostic: str) -> None:
    assert meaning_of(status, diagnostic).stops_mail is (bounce_type == "Permanent")


def _prose_bounce(body: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.example\r\nTo: no-reply@cocoon.example\r\nSubject: failure notice\r\n"
        "Message-ID: <bounce.1@mx.example>\r\n\r\n" + body
    ).encode()


def test_a_non_standard_bounce_finds_our_message_id_in_the_quoted_original() -> None:
    body = (
        "Hi. This is the qmail-send program at mx.example.\r\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        "<gone@customer.example>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        "--- Below this line is a copy of the message.\r\n\r\n"
        "Message-ID: <ours.1@mail.cocoon.example>\r\nFrom: no-reply@cocoon.example\r\n"
        "To: gone@customer.example\r\nSubject: Your request\r\n\r\nWe have received your request.\r\n"
    )
    mail = parse_inbound_mail(_prose_bounce(body), max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    assert mail.automatic is not None
    assert mail.returned_message_ids == ("ours.1@mail.cocoon.example",) and mail.returned_message_count == 1
    [recipient] = [r for r in mail.bounced_recipients if r.stops_mail]
    assert recipient.address == "gone@customer.example"

    quoting_two = body + "\r\nMessage-ID: <ours.2@mail.cocoon.example>\r\n"
    two = parse_inbound_mail(_prose_bounce(quoting_two), max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    assert two.returned_message_count == 2 and len(two.returned_message_ids) == 2


def test_a_non_standard_soft_bounce_stops_nobody() -> None:
    body = (
        "This message was created automatically by mail delivery software.\r\n\r\n"
        "A message that you sent could not be delivered to one or more of its recipients.\r\n\r\n"
        "  full@customer.example\r\n    SMTP error from remote mail server after RCPT TO:<full@customer.example>:\r\n"
        "    552 5.2.2 <full@customer.example>: user unknown? no: mailbox full\r\n\r\n"
        "------ This is a copy of the message, including all the headers. ------\r\n"
        "Message-ID: <ours.1@mail.cocoon.example>\r\n\r\nhi\r\n"
    )
    mail = parse_inbound_mail(_prose_bounce(body), max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    assert [r.address for r in mail.bounced_recipients] == ["full@customer.example"]
    assert not any(r.stops_mail for r in mail.bounced_recipients)
