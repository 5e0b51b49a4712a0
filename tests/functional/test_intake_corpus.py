"""Support intake by mail against real-world mail: the public corpus and hard cases of our own.

Every mail of ../shared/testdata/emails goes through the signed webhook twice, each time on fresh
tables with one live customer account:

* (A) from a stranger: dropped, and no trace at all (main table unchanged, idempotency table empty,
  no file kept), as the spec's privacy rule demands;
* (B) from a contact of the account: automatic mail (bounces, auto-replies, receipts, bulk) is
  dropped and changes nothing; human mail opens a ticket that keeps the raw mail and the
  attachments, and never stores a CC address.

The expected classification of the corpus is written down here by hand (EXPECTED_AUTOMATIC), so a
change in parse_inbound_mail that turns a bounce into a "customer" (or a customer into a robot)
fails a test instead of silently changing what the desk sees.

The hard cases build mails with the email package: encodings, HTML-only, an oversized attachment,
threading by our signed Message-ID, replies to closed tickets, hard and forged bounces, and the
SES → SNS handler with the real event shapes of ../shared/testdata/aws_events.
"""

from __future__ import annotations

import base64
import copy
import email
import email.policy
import json
import os
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pytest

from shared.mail.inbound.parse import parse_inbound_mail
from shared.mail.inbound.values import AutomaticKind, InboundMail
from shared.policy import get_policy
from shared.settings import get_settings
from shared.storage.models import CocoonItem, OutboxMail, SuppressedAddress, Ticket
from tests.functional.helpers import (
    ADMIN,
    INTAKE_NOW,
    a_mail,
    auth,
    deliver,
    dsn,
    message_id_of,
    now_header,
    open_ticket_by_mail,
    outbox_names,
    post_json,
    scan_table,
    signed_sns_event,
    stored_files,
    table_snapshot,
    take_in,
    ticket_messages,
    tickets,
)

NOW = INTAKE_NOW  # a Monday, inside DACH support hours
SIGNED_UP = "2026-11-02T10:00:00+01:00"

# Where the team's test data is (as tests/conftest.py decides): parametrizing needs it at import.
# Tests also request the `testdata_dir` fixture, which skips them with a reason when it is absent.
_TESTDATA = Path(os.environ.get("COCOON_TESTDATA", Path(__file__).resolve().parents[2].parent / "shared" / "testdata"))
CORPUS = _TESTDATA / "emails"
AWS_EVENTS = _TESTDATA / "aws_events"

# What each automatic corpus mail is, checked by reading the files (headers, report types) and
# the README's descriptions. Every other corpus mail is written by a human.
EXPECTED_AUTOMATIC: dict[str, AutomaticKind] = {
    "discourse/auto_reply.eml": AutomaticKind.AUTO_GENERATED,  # Auto-Submitted: auto-generated
    "flanker/bounce/delayed.eml": AutomaticKind.BOUNCE,  # sendmail delayed DSN
    "flanker/bounce/gmail-invalid-address.eml": AutomaticKind.BOUNCE,  # plain-text Gmail bounce
    "flanker/bounce/mailbox-full.eml": AutomaticKind.BOUNCE,  # Postfix DSN
    "flanker/disposition-notification.eml": AutomaticKind.READ_RECEIPT,  # MDN
    "mail-parser/mail_malformed_2": AutomaticKind.BOUNCE,  # malformed DSN
    "sisimai/lhost-amazonses-01.eml": AutomaticKind.BOUNCE,
    "sisimai/lhost-office365-01.eml": AutomaticKind.BOUNCE,  # "Undeliverable:" NDR
    "sisimai/lhost-postfix-03.eml": AutomaticKind.BOUNCE,
    "sisimai/rfc3834-01.eml": AutomaticKind.AUTO_REPLY,  # vacation, Auto-Submitted: auto-replied
    "sisimai/rfc3834-02.eml": AutomaticKind.AUTO_REPLY,  # Exchange "Automatic reply:", no Auto-Submitted
    "sisimai/rfc3834-03.eml": AutomaticKind.AUTO_REPLY,  # iCloud "Auto reply:", X-Apple-Action: VACATION
    "sisimai/rfc3834-04.eml": AutomaticKind.AUTO_REPLY,  # Exchange out-of-office
    "sisimai/rfc3834-05.eml": AutomaticKind.AUTO_REPLY,
    "sisimai/rfc3834-06.eml": AutomaticKind.AUTO_REPLY,  # Mimecast auto-responder
    "zammad/mail018.box": AutomaticKind.BOUNCE,  # Exchange DSN, UTF-7
    "zammad/mail033-undelivered-mail-returned-to-sender.box": AutomaticKind.BOUNCE,
    "zammad/mail053.box": AutomaticKind.BOUNCE,
    "zammad/mail055.box": AutomaticKind.BOUNCE,  # malformed charset parameter
    "zammad/mail078.box": AutomaticKind.BOUNCE,  # Gmail delay DSN
    "zammad/mail089.box": AutomaticKind.AUTO_GENERATED,  # ServiceNow notification
    "zammad/mail090.box": AutomaticKind.AUTO_GENERATED,
    "zammad/mail092.box": AutomaticKind.BOUNCE,
    "zammad/ticket_trigger/mail2.box": AutomaticKind.BULK,  # Precedence: bulk
}


def corpus_names() -> list[str]:
    """Every raw mail of the corpus (relative path), without the expectation files beside them."""
    if not CORPUS.is_dir():
        return ["(corpus absent)"]  # one parameter that skips with the fixture's reason
    return sorted(
        str(path.relative_to(CORPUS))
        for path in CORPUS.rglob("*")
        if path.is_file() and path.suffix not in (".yml", ".csv") and not path.name.endswith("_reply_text")
    )


CORPUS_NAMES = corpus_names()


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def parse(raw: bytes) -> InboundMail:
    return parse_inbound_mail(raw, max_attachment_bytes=get_policy().support.max_attachment_bytes)


def cc_addresses(raw: bytes) -> list[str]:
    """The CC addresses as a mail program reads them (the compat32 parser never chokes on odd headers)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    values = [str(v) for v in message.get_all("cc", [])]
    return sorted({address.lower() for _, address in getaddresses(values) if "@" in address})


def add_contact(client: Any, customer: dict[str, Any], address: str, name: str = "Corpus Sender") -> Any:
    return post_json(client, f"/accounts/{customer['account_id']}/users", {"email": address, "name": name},
                     {**auth(customer), **now_header(SIGNED_UP)})


# --------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------


def test_the_hand_written_automatic_list_names_corpus_files(testdata_dir: Path) -> None:
    missing = sorted(set(EXPECTED_AUTOMATIC) - set(CORPUS_NAMES))
    assert not missing, f"EXPECTED_AUTOMATIC names files the corpus does not have: {missing}"
    assert len(CORPUS_NAMES) == 59, "the README promises 59 raw mails"


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_mail_from_a_stranger_leaves_no_trace(client: Any, customer: dict[str, Any], testdata_dir: Path,
                                                     name: str) -> None:
    raw = (testdata_dir / "emails" / name).read_bytes()
    settings = get_settings()
    before = table_snapshot(settings.table_name)

    answer = take_in(client, raw)

    assert answer == {"outcome": "dropped", "ticket": None}
    assert table_snapshot(settings.table_name) == before, "a stranger's mail changed the main table"
    assert scan_table(settings.idempotency_table_name) == []
    assert stored_files() == [], "a stranger's mail left a file behind"


@pytest.mark.parametrize("name", CORPUS_NAMES)
def test_corpus_mail_from_a_contact(client: Any, customer: dict[str, Any], testdata_dir: Path, name: str) -> None:
    raw = (testdata_dir / "emails" / name).read_bytes()
    settings = get_settings()
    mail = parse(raw)
    # Classification first: a drift here would change which expectation applies below.
    assert mail.automatic == EXPECTED_AUTOMATIC.get(name), (
        f"{name}: classified {mail.automatic} ({mail.automatic_reason}), expected {EXPECTED_AUTOMATIC.get(name)}"
    )
    if not mail.sender_address:
        pytest.skip(f"{name}: no parseable From address, so it cannot be a contact")
    added = add_contact(client, customer, mail.sender_address)
    if added.status_code not in (200, 201):
        pytest.skip(f"{name}: the users API refuses the sender {mail.sender_address!r} as an address "
                    f"({added.status_code}), so it cannot be a contact")
    before = table_snapshot(settings.table_name)

    answer = take_in(client, raw)

    if mail.automatic is not None:
        assert answer == {"outcome": "dropped", "ticket": None}, f"{name} ({mail.automatic})"
        assert table_snapshot(settings.table_name) == before, f"automatic mail {name} changed the main table"
        assert stored_files() == []
        return
    # No ticket exists yet, so a [Ticket#…] tag or a reply header points nowhere: a new ticket.
    assert answer["outcome"] == "ticket_created", f"{name}: {answer}"
    [ticket] = tickets()
    assert ticket.number == answer["ticket"] and ticket.account_id == customer["account_id"]
    assert ticket.requester_email == mail.sender_address.lower() and ticket.channel == "email"
    [message] = ticket_messages()
    assert message.ticket_number == ticket.number
    assert message.text == (mail.reply_text or mail.body_text)
    # The raw mail is kept byte for byte, under the attachments directory.
    assert message.raw_key, f"{name}: the raw mail was not kept"
    assert (settings.attachments_dir / message.raw_key).read_bytes() == raw
    # Every attachment is stored with its bytes.
    stored = [(a["filename"], (settings.attachments_dir / a["key"]).read_bytes()) for a in message.attachments or []]
    assert sorted(stored) == sorted((a.filename, a.content) for a in mail.attachments)
    # CC recipients are never stored (spec §6, §8).
    everything = json.dumps(scan_table(settings.table_name)).lower()
    leaked = [address for address in cc_addresses(raw) if address in everything]
    assert not leaked, f"{name}: CC addresses stored: {leaked}"


def test_corpus_rfc2231_attachment_name_from_a_deliverable_sender(client: Any, customer: dict[str, Any],
                                                                   testdata_dir: Path) -> None:
    # zammad/mail081 is skipped above (its sender "redacted@redacted" cannot be a user), but its
    # RFC 2231 attachment name must still reach storage: the same bytes with a real sender.
    raw = (testdata_dir / "emails/zammad/mail081.box").read_bytes()
    assert raw.count(b"<redacted@redacted>") >= 1
    raw = raw.replace(b"From: Martin von Wittich <redacted@redacted>", b"From: Martin von Wittich <" + ADMIN.encode() + b">")
    assert take_in(client, raw)["outcome"] == "ticket_created"
    [message] = ticket_messages()
    assert [a["filename"] for a in message.attachments] == ["Erklärung.txt"]
    assert (get_settings().attachments_dir / message.attachments[0]["key"]).is_file()


# --------------------------------------------------------------------------------------
# Hard cases written here
# --------------------------------------------------------------------------------------


def test_rfc2047_subject_in_iso_8859_1(client: Any, customer: dict[str, Any]) -> None:
    message = a_mail(body="Seit dem Update druckt der Drucker nichts mehr.")
    del message["Subject"]
    # Written as the raw header a mail program sends, not re-encoded by the email package.
    message["Subject"] = "=?ISO-8859-1?Q?Drucker_druckt_keine_Etiketten_f=FCr_Gr=F6=DFe_A5?="
    answer = take_in(client, message.as_bytes())
    assert answer["outcome"] == "ticket_created"
    assert tickets()[0].subject == "Drucker druckt keine Etiketten für Größe A5"


def test_base64_utf8_body(client: Any, customer: dict[str, Any]) -> None:
    text = "Grüße aus Köln: der Export hängt bei 50 % – Fehlermeldung „Zugriff verweigert“ 日本語."
    message = a_mail(subject="Export hängt")
    message.set_content(text, cte="base64")
    assert b"Content-Transfer-Encoding: base64" in message.as_bytes()
    assert take_in(client, message.as_bytes())["outcome"] == "ticket_created"
    assert ticket_messages()[0].text == text


def test_html_only_mail_is_stored_as_text(client: Any, customer: dict[str, Any]) -> None:
    message = a_mail(subject="Druck aus dem Lager")
    message.set_content(
        "<html><head><style>p { color: red }</style><title>x</title></head><body>"
        "<p>Der Druck aus dem <b>Lager</b> bricht ab &amp; zeigt Fehler&nbsp;42.</p>"
        "<div>Schritte:<br>1. Lager öffnen<br>2. Drucken</div></body></html>",
        subtype="html",
    )
    assert take_in(client, message.as_bytes())["outcome"] == "ticket_created"
    text = ticket_messages()[0].text
    assert "<" not in text and ">" not in text and "color" not in text
    assert "Der Druck aus dem Lager bricht ab & zeigt Fehler" in text and "2. Drucken" in text


def test_an_oversized_attachment_is_not_stored_and_the_customer_is_told(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    from functions.inbound_email import take_in_mail
    from shared.rules.sender_trust import NOT_CHECKED

    policy = get_policy().support
    message = a_mail(subject="Protokoll des Absturzes")
    message.add_attachment(b"small log line\n" * 10, maintype="text", subtype="plain", filename="small.log")
    message.add_attachment(b"\x00" * (policy.max_attachment_bytes + 1), maintype="application",
                           subtype="octet-stream", filename="dump.bin")
    raw = message.as_bytes()
    assert len(raw) < policy.max_mail_bytes  # the mail itself is within policy; only the part is too large

    # take_in_mail, the path both channels share (the webhook test below covers the HTTP limit).
    outcome, number = take_in_mail(raw, datetime.fromisoformat(NOW), trust=NOT_CHECKED)

    assert outcome == "ticket_created" and number
    [message_item] = ticket_messages()
    assert [a["filename"] for a in message_item.attachments] == ["small.log"]
    assert all(path.stat().st_size <= policy.max_attachment_bytes or path.name == "raw.eml" for path in stored_files())
    mails = [item for item in CocoonItem.scan() if isinstance(item, OutboxMail)]
    assert f"ticket-too-large-{number}" in {mail.mail_id for mail in mails}
    deliver()
    assert outbox_names(outbox_dir, "ticket-too-large-") == [f"ticket-too-large-{number}.eml"]
    assert "dump.bin" in (outbox_dir / f"ticket-too-large-{number}.eml").read_text()


def test_a_two_megabyte_mail_through_the_webhook_opens_a_ticket(client: Any, customer: dict[str, Any]) -> None:
    message = a_mail(subject="Screenshot of the crash")
    message.add_attachment(os.urandom(1_500_000), maintype="image", subtype="png", filename="crash.png")
    raw = message.as_bytes()
    assert 1_048_576 < len(raw) < get_policy().support.max_mail_bytes
    assert take_in(client, raw)["outcome"] == "ticket_created"
    assert [a["filename"] for a in ticket_messages()[0].attachments] == ["crash.png"]


def test_a_reply_to_our_message_id_without_the_tag_is_threaded(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    number = open_ticket_by_mail(client)
    deliver()
    ours = message_id_of(outbox_dir / f"ticket-ack-{number}.eml")
    reply = a_mail(subject="Re: Export to Excel fails", body="Here are the steps.", In_Reply_To=ours,
                   References=ours)

    assert take_in(client, reply.as_bytes()) == {"outcome": "message_added", "ticket": number}
    assert len(tickets()) == 1 and len(ticket_messages()) == 2
    assert tickets()[0].message_count == 2


def test_a_forged_message_id_does_not_thread(client: Any, customer: dict[str, Any], outbox_dir: Path) -> None:
    number = open_ticket_by_mail(client)
    forged = f"<ticket-ack-{number}.0123456789abcdef@mail.cocoon.example>"
    reply = a_mail(subject="Re: Export to Excel fails", In_Reply_To=forged)
    answer = take_in(client, reply.as_bytes())
    assert answer["outcome"] == "ticket_created" and answer["ticket"] != number


def test_a_redelivered_reply_is_added_once(client: Any, customer: dict[str, Any]) -> None:
    number = open_ticket_by_mail(client)
    reply = a_mail(subject=f"Re: Export to Excel fails [Ticket#{number}]", body="Steps attached.").as_bytes()
    assert take_in(client, reply) == {"outcome": "message_added", "ticket": number}
    assert take_in(client, reply)["outcome"] == "duplicate"
    assert len(ticket_messages()) == 2 and tickets()[0].message_count == 2


def _close(number: str) -> None:
    [ticket] = [t for t in tickets() if t.number == number]
    ticket.update(actions=[Ticket.state.set("closed")])


def test_a_reply_to_a_closed_ticket_gets_one_notice_a_day(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    number = open_ticket_by_mail(client)
    _close(number)
    first = a_mail(subject=f"Re: Export to Excel fails [Ticket#{number}]", body="It happens again.")
    second = a_mail(subject=f"Re: Export to Excel fails [Ticket#{number}]", body="And again.")

    assert take_in(client, first.as_bytes()) == {"outcome": "closed_notice", "ticket": number}
    assert take_in(client, second.as_bytes(), now="2026-11-23T16:00:00+01:00") == {
        "outcome": "closed_notice", "ticket": number,
    }

    [ticket] = tickets()
    assert ticket.state == "closed" and ticket.message_count == 1
    assert len(ticket_messages()) == 1
    deliver("2026-11-23T16:01:00+01:00")
    assert len(outbox_names(outbox_dir, "closed-notice-")) == 1


def test_a_hard_bounce_of_our_mail_suppresses_the_address(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    first = open_ticket_by_mail(client)
    deliver()
    ours = message_id_of(outbox_dir / f"ticket-ack-{first}.eml")
    bounce = dsn(ADMIN, ours)
    assert parse(bounce).automatic is AutomaticKind.BOUNCE

    assert take_in(client, bounce) == {"outcome": "dropped", "ticket": None}
    assert [item.pk for item in CocoonItem.scan() if isinstance(item, SuppressedAddress)] != []

    second = open_ticket_by_mail(client, subject="Import fails too")
    result = deliver("2026-11-23T11:05:00+01:00")
    assert result.details.get("suppressed") == 1 and result.done == 0, result.summary()
    assert not (outbox_dir / f"ticket-ack-{second}.eml").exists()


def test_a_bounce_only_suppresses_the_recipient_of_the_returned_mail(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    first = open_ticket_by_mail(client)
    deliver()
    ours = message_id_of(outbox_dir / f"ticket-ack-{first}.eml")  # sent to erika, not to the victim
    victim = "support-lead@cocoon.example"

    assert take_in(client, dsn(victim, ours)) == {"outcome": "dropped", "ticket": None}
    assert not [item for item in CocoonItem.scan() if isinstance(item, SuppressedAddress)]


def test_a_forged_bounce_suppresses_nothing(client: Any, customer: dict[str, Any], outbox_dir: Path) -> None:
    first = open_ticket_by_mail(client)
    deliver()
    forged = f"<ticket-ack-{first}.0123456789abcdef@mail.cocoon.example>"  # our format, wrong signature

    assert take_in(client, dsn(ADMIN, forged)) == {"outcome": "dropped", "ticket": None}
    assert take_in(client, dsn(ADMIN, "<somebody-else@mail.example>")) == {"outcome": "dropped", "ticket": None}
    assert not [item for item in CocoonItem.scan() if isinstance(item, SuppressedAddress)]

    second = open_ticket_by_mail(client, subject="Import fails too")
    result = deliver("2026-11-23T11:05:00+01:00")
    assert result.done == 1 and "suppressed" not in result.details, result.summary()
    assert (outbox_dir / f"ticket-ack-{second}.eml").exists()


# --------------------------------------------------------------------------------------
# SES → SNS → Lambda, with the real event shapes
# --------------------------------------------------------------------------------------


def _ses_event(testdata_dir: Path, content: bytes | None = None, *, base64_encoded: bool = False) -> dict[str, Any]:
    """The composed SNS event carrying the AWS docs' SES "Received" notification, its content optionally replaced."""
    event = json.loads((testdata_dir / "aws_events/composed/snsEvent_with_ses_received_notification.json").read_text())
    notification = json.loads(event["Records"][0]["Sns"]["Message"])
    if content is not None:
        notification["content"] = content.decode("utf-8")
    if base64_encoded:
        notification["receipt"]["action"]["encoding"] = "BASE64"
        notification["content"] = base64.b64encode(notification["content"].encode("utf-8")).decode("ascii")
    event["Records"][0]["Sns"]["Message"] = json.dumps(notification)
    return event


def _handle(event: dict[str, Any]) -> None:
    import app as app_module

    # Chalice's decorated handler takes the raw Lambda event dict; pass a copy so a handler that
    # mutates it cannot make "delivered twice" pass by accident.
    # SNS signs what it delivers: the test signs the edited sample again (tests/conftest.py trusts the key).
    app_module.inbound_email_from_ses(signed_sns_event(copy.deepcopy(event)), None)


def test_ses_notification_with_a_customers_mail_opens_one_ticket_even_if_delivered_twice(
    client: Any, customer: dict[str, Any], testdata_dir: Path,
) -> None:
    event = _ses_event(testdata_dir, a_mail(subject="Via SES").as_bytes())
    _handle(event)
    assert len(tickets()) == 1
    _handle(event)  # SNS delivers at least once
    assert len(tickets()) == 1 and len(ticket_messages()) == 1
    assert tickets()[0].subject == "Via SES"


def test_ses_notification_in_base64_opens_one_ticket(client: Any, customer: dict[str, Any],
                                                     testdata_dir: Path) -> None:
    event = _ses_event(testdata_dir, a_mail(subject="Base64 via SES").as_bytes(), base64_encoded=True)
    _handle(event)
    _handle(event)
    assert [t.subject for t in tickets()] == ["Base64 via SES"]


def test_the_published_ses_sample_from_a_contact_opens_a_ticket(client: Any, customer: dict[str, Any],
                                                                testdata_dir: Path) -> None:
    # The AWS docs' own mail, unchanged: its sender made a contact of the account.
    assert add_contact(client, customer, "sender@example.com").status_code == 201
    _handle(_ses_event(testdata_dir))
    assert [(t.subject, t.requester_email) for t in tickets()] == [("Example subject", "sender@example.com")]
    assert ticket_messages()[0].text == "Example content"


@pytest.mark.parametrize("name", [
    "powertools/snsEvent.json", "aws-lambda-go/sns-event.json", "chalice/test_app_sns_event.json",
])
def test_sns_messages_that_are_not_ses_notifications_store_nothing(
    client: Any, customer: dict[str, Any], testdata_dir: Path, name: str,
) -> None:
    settings = get_settings()
    before = table_snapshot(settings.table_name)
    _handle(json.loads((testdata_dir / "aws_events" / name).read_text()))
    assert table_snapshot(settings.table_name) == before
    assert scan_table(settings.idempotency_table_name) == [] and stored_files() == []


def test_an_ses_notification_without_content_stores_nothing(client: Any, customer: dict[str, Any],
                                                             testdata_dir: Path) -> None:
    # SES leaves `content` out when the mail is over SNS's size limit: metadata alone is no request.
    event = _ses_event(testdata_dir)
    notification = json.loads(event["Records"][0]["Sns"]["Message"])
    del notification["content"]
    event["Records"][0]["Sns"]["Message"] = json.dumps(notification)
    settings = get_settings()
    before = table_snapshot(settings.table_name)
    _handle(event)
    assert table_snapshot(settings.table_name) == before

