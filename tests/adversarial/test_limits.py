"""Limits, as an attacker tries them (SPEC §6, §11; issue 12 item 8): each test is the attempt and the refusal.

- a flood of web-form tickets for one contact must not become a flood of mail to that contact;
- one client (IP) or one address cannot file tickets without end;
- a CR/LF in a subject can neither inject a header nor make mails about the ticket fail;
- a mail of thousands of tiny parts, or one too large for DynamoDB, is refused with nothing stored, however often
  the relay sends it again; and a commit that fails leaves no blobs behind.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from functions import mail_delivery
from shared.policy import get_policy
from shared.settings import get_settings
from shared.storage.models import CocoonItem, OutboxMail, SeenMail, Ticket, TicketMessage
from tests.functional.helpers import a_raw_mail, body_of, now_header, post_json, signed_post

NOW = datetime.fromisoformat("2026-11-23T11:00:00+01:00")  # a Monday, inside DACH support hours
CONTACT = "erika@beispiel.example"


def at(moment: datetime) -> dict[str, str]:
    return now_header(moment.isoformat())


def web_form(client, email_address: str, moment: datetime, subject: str = "Export to Excel fails", **fields):
    body = {"email": email_address, "subject": subject, "description": "Error 500 on export", **fields}
    return post_json(client, "/tickets", body, at(moment))


def blobs_of(account_id: str) -> list[Path]:
    root = get_settings().attachments_dir / "accounts" / account_id
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_eight_web_form_tickets_in_a_minute_give_at_most_the_hourly_number_of_acknowledgements(
    client, customer, outbox_dir
):
    limit = get_policy().support.auto_mail_per_recipient_per_hour
    for i in range(8):
        assert web_form(client, CONTACT, NOW + timedelta(seconds=5 * i)).status_code == 201
    mail_delivery.run(NOW + timedelta(minutes=1))

    delivered = sorted(outbox_dir.glob("ticket-ack-*.eml"))
    assert len(delivered) == limit
    acknowledgements = [i for i in CocoonItem.scan() if isinstance(i, OutboxMail) and i.template == "ticket_acknowledgement"]
    held_back = [mail for mail in acknowledgements if mail.fate == "rate_limited"]
    assert len(acknowledgements) == 8 and len(held_back) == 8 - limit  # recorded, not silently dropped
    assert all(mail.sent_at is None and mail.due_job is None for mail in held_back)  # and never delivered later
    mail_delivery.run(NOW + timedelta(hours=3))
    assert len(list(outbox_dir.glob("ticket-ack-*.eml"))) == limit


def test_mails_the_law_or_the_contract_needs_are_never_held_back(client, customer, outbox_dir):
    """The limit must not become a way to stop an invoice or a notice: only automatic mails count."""
    from shared.rules.limits import MAILS_EXEMPT_FROM_LIMIT, counts_against_mail_limit

    for template in ("invoice", "deletion_warning", "deactivated_trial", "cancellation_confirmation",
                     "signup_verification", "ticket_reply"):
        assert template in MAILS_EXEMPT_FROM_LIMIT and not counts_against_mail_limit(template)
    assert counts_against_mail_limit("ticket_acknowledgement") and counts_against_mail_limit("a_new_automatic_mail")


def test_many_web_form_tickets_from_one_client_with_different_addresses_are_refused_with_429(client, customer):
    limit = get_policy().support.web_form_tickets_per_ip_per_hour
    answers = [web_form(client, f"guess{i}@nowhere.example", NOW + timedelta(seconds=i)) for i in range(limit + 3)]
    assert [a.status_code for a in answers[:limit]] == [403] * limit  # strangers: refused, and counted
    for refused in answers[limit:]:
        assert refused.status_code == 429
        error = body_of(refused)["error"]
        assert error["code"] == "too_many_requests" and "client_ip" in error["fields"]
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
    # A contact behind the same client is refused too, until the next hour.
    assert web_form(client, CONTACT, NOW + timedelta(minutes=5)).status_code == 429
    assert web_form(client, CONTACT, NOW + timedelta(hours=1)).status_code == 201
    # Nothing about the strangers is kept but hashes: no address in any item.
    stored = " ".join(str(item.attribute_values) for item in CocoonItem.scan())
    assert "guess" not in stored and "nowhere.example" not in stored and "127.0.0.1" not in stored


def test_many_web_form_tickets_for_one_address_are_refused_with_429(client, customer):
    limit = get_policy().support.web_form_tickets_per_address_per_hour
    answers = [web_form(client, CONTACT, NOW + timedelta(seconds=i)) for i in range(limit + 1)]
    assert [a.status_code for a in answers[:limit]] == [201] * limit
    assert answers[limit].status_code == 429 and "email" in body_of(answers[limit])["error"]["fields"]
    assert "Retry-After" in answers[limit].headers
    assert len([item for item in CocoonItem.scan() if isinstance(item, Ticket)]) == limit


def test_a_subject_with_cr_lf_is_delivered_clean_and_injects_no_header(client, customer, outbox_dir):
    injected = "Export fails\r\nBcc: victim@evil.example\r\n\r\nX-Evil: 1\x00\x1b"
    created = web_form(client, CONTACT, NOW, subject=injected)
    assert created.status_code == 201, created.body
    assert body_of(created)["subject"] == "Export fails Bcc: victim@evil.example X-Evil: 1"  # stored clean

    result = mail_delivery.run(NOW + timedelta(minutes=1))
    assert result.failed == 0
    (ack,) = outbox_dir.glob("ticket-ack-*.eml")
    message = email.message_from_bytes(ack.read_bytes(), policy=email.policy.default)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert "\r" not in str(message["Subject"]) and "\n" not in str(message["Subject"])
    assert "Export fails Bcc: victim@evil.example" in str(message["Subject"])


def test_a_stored_subject_with_control_characters_still_reaches_the_recipient_in_one_line(db):
    """Subjects stored before the fix (or any header value) are made one line at the mail boundary."""
    from shared.mail.transport import as_email_message

    mail = OutboxMail(
        "SYSTEM", "MAIL#m1", mail_id="m1", recipient="erika@beispiel.example", subject="Hi\r\nBcc: victim@evil.example",
        body_text="text\n", headers={"X-Loop": "cocoon\r\nBcc: other@evil.example"}, created_at=NOW,
    )
    message = email.message_from_bytes(as_email_message(mail, "Cocoon <no-reply@cocoon.example>").as_bytes())
    assert message["Bcc"] is None and message["Subject"] == "Hi Bcc: victim@evil.example"


def many_parts_mail(sender: str, parts: int) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@cocoon.example"
    message["Subject"] = "Export fails"
    message["Message-ID"] = "<many-parts-1@mail.example>"
    message.set_content("Please see the attached files.")
    for index in range(parts):
        message.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=f"f{index}.bin")
    return message.as_bytes()


def test_a_mail_of_thousands_of_tiny_parts_is_refused_and_writes_no_blob_however_often_it_is_sent(client, customer):
    raw = many_parts_mail(CONTACT, 3000)
    for _ in range(3):  # the relay retries
        answer = signed_post(client, raw)
        assert answer.status_code == 202, answer.body
        assert body_of(answer) == {"outcome": "refused_too_many_parts", "ticket": None}
    assert blobs_of(customer["account_id"]) == []
    assert not [item for item in CocoonItem.scan() if isinstance(item, Ticket | SeenMail | TicketMessage)]


def test_a_mail_whose_text_would_pass_dynamodbs_400_kb_is_refused_and_writes_no_blob(client, customer):
    raw = a_raw_mail(CONTACT, "Export fails", "The log says:\n" + "Fehler beim Export in Zeile 1234.\n" * 20_000)
    for _ in range(2):
        answer = signed_post(client, raw)
        assert answer.status_code == 202, answer.body
        assert body_of(answer) == {"outcome": "refused_too_large", "ticket": None}
    assert blobs_of(customer["account_id"]) == []
    assert not [item for item in CocoonItem.scan() if isinstance(item, Ticket | SeenMail)]


def test_web_form_fields_that_would_pass_400_kb_are_a_400_naming_the_field(client, customer):
    answer = web_form(client, CONTACT, NOW, description="€" * 50_000, steps="€" * 20_000)
    assert answer.status_code == 400, answer.body
    assert "description" in body_of(answer)["error"]["fields"]
    assert not [item for item in CocoonItem.scan() if isinstance(item, Ticket)]


def test_a_commit_that_fails_removes_the_blobs_it_wrote(client, customer):
    """A reply that loses the race with closing the ticket leaves no attachments behind."""
    from shared.services.support.tickets import add_customer_message
    from shared.storage.accounts import get_account
    from shared.storage.db import ConditionFailed
    from shared.storage.tickets import IncomingAttachment, admin_user, find_ticket

    created = signed_post(client, a_raw_mail(CONTACT, "Export fails"))
    number = body_of(created)["ticket"]
    ticket = find_ticket(number)
    assert ticket is not None
    before = set(blobs_of(customer["account_id"]))
    ticket.update(actions=[Ticket.state.set("closed")])
    ticket.state = "in_progress"  # what a handler read a moment before the ticket was closed
    account = get_account(ticket.account_id)
    assert account is not None
    with pytest.raises(ConditionFailed):
        add_customer_message(
            ticket, admin_user(account), "one more thing", "email", NOW,
            attachments=(IncomingAttachment("log.txt", "text/plain", b"log"),), raw_mail=b"raw mail",
        )
    assert set(blobs_of(customer["account_id"])) == before
