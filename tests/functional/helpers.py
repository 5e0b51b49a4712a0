"""The tests' shared helpers (the one module tests import them from: tests never import each other):
driving the API like a web form or an app would, signing up, running jobs, mails and the webhooks."""

from __future__ import annotations

import email
import email.policy
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4
from zoneinfo import ZoneInfo

import botocore.client
import pytest

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def post_json(client: Any, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.http.post(path, headers={**JSON, **(headers or {})}, body=json.dumps(body))


def post_form(client: Any, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    return client.http.post(path, headers={**FORM, **(headers or {})}, body=urlencode(fields))


def body_of(response: Any) -> Any:
    return json.loads(response.body)


LONG_ID = "7" * 2000  # a DynamoDB key over 1 KB: the lookup itself used to fail


def refused(response, status: int, field: str) -> dict:
    """The answer is `status` in our error shape and names `field`."""
    assert response.status_code == status, (response.status_code, response.body[:300])
    error = body_of(response)["error"]
    assert set(error) == {"code", "message", "fields"}
    assert field in error["fields"], error
    return error


def signup_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "company_name": "Beispiel GmbH",
        "organization_type": "company",
        "country": "DE",
        "vat_id": "DE136695976",
        "admin_name": "Erika Mustermann",
        "admin_email": "erika@beispiel.example",
        "language": "de",
        "accept_dpa": True,
        "street": "Hauptstraße 5",
        "postcode": "70173",
        "city": "Stuttgart",
    }
    fields.update(overrides)
    return fields


def verification_token_from_outbox(outbox_dir: Path, recipient: str | None = None) -> str:
    """Read the token from the delivered verification mail (to `recipient`, if given)."""
    for path in sorted(outbox_dir.glob("verify-*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        if recipient and f"To: {recipient}" not in path.read_text():
            continue
        match = re.search(r"token=([A-Za-z0-9_\-]+)", mail_text(path))
        if match:
            return match.group(1)
    raise AssertionError(f"no verification mail in {outbox_dir}")


def mail_text(path: Path) -> str:
    """The decoded text body of a delivered .eml (as a mail client would show it)."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def now_header(moment: str) -> dict[str, str]:
    return {"X-Cocoon-Now": moment}


def signed_sns_event(event: dict[str, Any], topic: str = "inbound") -> dict[str, Any]:
    """A Lambda SNS event whose (possibly edited) message is signed again, as SNS would, for our topic
    (`inbound` or `mail_events`); the tests' certificate source trusts this key (tests/conftest.py)."""
    from shared.local_sns import local_sns

    message = event["Records"][0]["Sns"]["Message"]
    return local_sns().lambda_event(message, _topic_arn(topic))


def signed_sns_record(message: str, topic: str = "mail_events", **options: Any) -> str:
    """The JSON text of one signed SNS record (`Sns` object) carrying `message`."""
    from shared.local_sns import local_sns

    return json.dumps(local_sns().envelope(message, _topic_arn(topic), **options))


def _topic_arn(topic: str) -> str:
    from shared.settings import get_settings

    settings = get_settings()
    arn = settings.inbound_email_topic_arn if topic == "inbound" else settings.mail_events_topic_arn
    assert arn is not None
    return arn


# --- a signed-up customer and the jobs of a day ------------------------------------------------

VERIFIED_AT = "2026-01-30T09:00:00+01:00"


def deliver_mail(now: str = VERIFIED_AT) -> None:
    from functions import mail_delivery

    mail_delivery.run(datetime.fromisoformat(now))


def signup_and_verify(client, outbox_dir, email: str = "erika@beispiel.example", now: str = VERIFIED_AT):
    response = post_json(client, "/signup", signup_fields(admin_email=email), now_header(now))
    assert response.status_code == 202, response.body
    deliver_mail(now)
    token = verification_token_from_outbox(outbox_dir, email)
    verified = post_json(client, "/signup/verify", {"token": token}, now_header(now))
    assert verified.status_code == 201, verified.body
    return body_of(verified)


def run_job(name: str, now: str) -> None:
    """Run a scheduled job as `cocoon run-job` does: nothing of it may fail."""
    from functions.cli import main as cocoon

    assert cocoon(["run-job", name, "--now", now]) == 0, f"{name} at {now}: something failed"


def run_day(now: str) -> None:
    for job in ("trial-expiry", "lifecycle", "mail"):
        run_job(job, now)


def auth(verified: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {verified['admin_token']}"}


def mails(outbox_dir, prefix: str) -> list[str]:
    return sorted(path.name for path in outbox_dir.glob(f"{prefix}*.eml"))


# --- mail to support: the signed inbound webhook --------------------------------------------------

INTAKE_NOW = "2026-11-23T11:00:00+01:00"  # a Monday, inside DACH support hours
ADMIN = "erika@beispiel.example"
INBOUND_SECRET = "test-secret-new"  # one of COCOON_INBOUND_EMAIL_SECRET in tests/conftest.py


def signed_post(
    client: Any, raw: bytes, secret: str = INBOUND_SECRET, timestamp: int | None = None, now: str = INTAKE_NOW
) -> Any:
    """POST a raw mail to the webhook as the relay does: HMAC over "<timestamp>.<body>"."""
    from shared.rules.signing import webhook_signature

    ts = str(timestamp if timestamp is not None else int(datetime.fromisoformat(now).timestamp()))
    headers = {"Content-Type": "message/rfc822", "X-Cocoon-Timestamp": ts,
               "X-Cocoon-Signature": webhook_signature(secret, ts, raw), **now_header(now)}
    return client.http.post("/webhooks/inbound-email", headers=headers, body=raw)


def take_in(client: Any, raw: bytes, now: str = INTAKE_NOW) -> dict[str, Any]:
    response = signed_post(client, raw, now=now)
    assert response.status_code == 202, response.body
    return body_of(response)


def a_mail(sender: str = ADMIN, subject: str = "Export to Excel fails", body: str = "The export fails with error 500.",
           **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@cocoon.example"
    message["Cc"] = "colleague@elsewhere.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.beispiel.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def a_raw_mail(sender: str, subject: str, body: str = "The export fails with error 500.", **headers: str) -> bytes:
    """A mail as bytes (its Message-ID may be given as `message_id`)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@cocoon.example"
    message["Cc"] = "colleague@elsewhere.example"
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", f"<{time.time_ns()}@mail.example>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()

def _dynamodb() -> Any:
    import boto3

    from shared.settings import get_settings

    settings = get_settings()
    return boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name=settings.region,
                        aws_access_key_id="local", aws_secret_access_key="local")


def scan_table(name: str) -> list[dict[str, Any]]:
    """Every item of a table, raw (boto3, not PynamoDB): sees items no model knows about too."""
    items: list[dict[str, Any]] = []
    for page in _dynamodb().get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
        items.extend(page["Items"])
    return items


def table_snapshot(name: str) -> list[str]:
    """The table's full content, comparable: any added, removed or changed item shows."""
    return sorted(json.dumps(item, sort_keys=True, default=str) for item in scan_table(name))


def stored_files() -> list[Path]:
    from shared.settings import get_settings

    root = get_settings().attachments_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def tickets() -> list[Any]:
    from shared.storage.models import CocoonItem, Ticket

    return [item for item in CocoonItem.scan() if isinstance(item, Ticket)]


def ticket_messages() -> list[Any]:
    from shared.storage.models import CocoonItem, TicketMessage

    return [item for item in CocoonItem.scan() if isinstance(item, TicketMessage)]


def deliver(now: str = INTAKE_NOW) -> Any:
    from functions import mail_delivery

    return mail_delivery.run(datetime.fromisoformat(now))


def outbox_names(outbox_dir: Path, prefix: str) -> list[str]:
    return sorted(p.name for p in outbox_dir.glob(f"{prefix}*.eml")) if outbox_dir.exists() else []


def message_id_of(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    value = message["Message-ID"]
    assert value, f"{path.name} has no Message-ID"
    return str(value).strip()


def open_ticket_by_mail(client: Any, sender: str = ADMIN, subject: str = "Export to Excel fails") -> str:
    answer = take_in(client, a_mail(sender, subject).as_bytes())
    assert answer["outcome"] == "ticket_created", answer
    return str(answer["ticket"])


def dsn(recipient: str, returned_message_id: str) -> bytes:
    """A Postfix-style hard bounce: multipart/report with Action: failed / Status: 5.1.1 and our mail returned."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.beispiel.example>\r\n"
        "To: no-reply@cocoon.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.beispiel.example')}\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"\r\n'
        "\r\n"
        "--B0UND\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n"
        "\r\n"
        "This is the mail system at host mx.beispiel.example.\r\n"
        "Your message could not be delivered to one or more recipients.\r\n"
        "\r\n"
        "--B0UND\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.beispiel.example\r\n"
        "Arrival-Date: Mon, 23 Nov 2026 09:59:58 +0000\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected: User unknown\r\n"
        "\r\n"
        "--B0UND\r\n"
        "Content-Type: message/rfc822\r\n"
        "\r\n"
        "From: Cocoon <no-reply@cocoon.example>\r\n"
        f"To: {recipient}\r\n"
        "Subject: Your request [Ticket#0]\r\n"
        f"Message-ID: {returned_message_id}\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "\r\n"
        "We have received your request.\r\n"
        "\r\n"
        "--B0UND--\r\n"
    ).encode("ascii")


# --- the fate of our mail: SES events ---------------------------------------------------------------

MAIL_SENT_AT = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ADDRESS = ADMIN  # the recipient of our mail


def outbox_mail(
    mail_id: str, template: str = "ticket_acknowledgement", recipient: str = ADDRESS, *, queued: bool = True
) -> Any:
    """A mail as queue_mail writes it (findable by its mail id): queued (due now), or already sent."""
    from shared.storage.models import OutboxMail
    from shared.storage.outbox import MAIL_JOB
    from shared.storage.schedule import due_key

    mail = OutboxMail(
        "ACCOUNT#A1",
        f"MAIL#{mail_id}",
        mail_id=mail_id,
        account_id="A1",
        recipient=recipient,
        subject="Ihre Anfrage",
        body_text="Danke.",
        created_at=MAIL_SENT_AT,
        due_job=due_key(MAIL_JOB, mail_id) if queued else None,
        due_at="2026-11-23T10:00:00Z" if queued else None,
        sent_at=None if queued else MAIL_SENT_AT,
        template=template,
        lookup_key=f"MAIL#{mail_id}",
    )
    mail.save()
    return mail


def ses_event(kind: str, mail_id: str | None, at: str = "2026-11-23T10:00:05.000Z", **details: Any) -> str:
    """An SES event-publishing message (as a configuration set's SNS destination sends it)."""
    mail: dict[str, Any] = {
        "timestamp": "2026-11-23T10:00:00.000Z",
        "messageId": f"0102-{mail_id}",
        "destination": [ADDRESS],
        "tags": {"mail_id": [mail_id]} if mail_id else {"ses:configuration-set": ["cocoon-test-mail"]},
    }
    names = {"Send": "send", "Delivery": "delivery", "Bounce": "bounce", "Complaint": "complaint",
             "Reject": "reject", "DeliveryDelay": "deliveryDelay"}
    body = {"timestamp": at, **details}
    return json.dumps({"eventType": kind, "mail": mail, names[kind]: body})


def bounce(mail_id: str, bounce_type: str = "Permanent", subtype: str = "General", **kw: Any) -> str:
    return ses_event("Bounce", mail_id, bounceType=bounce_type, bounceSubType=subtype, bouncedRecipients=[
        {"emailAddress": ADDRESS, "action": "failed", "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 unknown"}
    ], **kw)


def complaint(mail_id: str, at: str = "2026-11-23T10:05:00.000Z", feedback: str = "abuse") -> str:
    return ses_event("Complaint", mail_id, at=at, complainedRecipients=[{"emailAddress": ADDRESS}],
                     complaintFeedbackType=feedback)


def sent_mail(mail_id: str, recipient: str = ADDRESS) -> Any:
    return outbox_mail(mail_id, recipient=recipient, queued=False)


def fate_of(mail_id: str) -> Any:
    from shared.storage.mail_fate import find_outbox_mail

    mail = find_outbox_mail(mail_id)
    assert mail is not None
    return mail


# --- mail runs: the outbox -----------------------------------------------------------------------

MAIL_RUN_START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def queue_mails(count: int, now: datetime) -> list[str]:
    """Outbox mails as the signup writes them (exempt from the hourly limit), saved for real."""
    from shared.mail.compose import compose_mail
    from shared.storage import outbox

    mail_ids = []
    for _ in range(count):
        account_id = uuid4().hex[:12]
        mail = outbox.outbox_mail(compose_mail(
            mail_id=f"verify-{account_id}",
            account_id=account_id,
            recipient=f"admin-{account_id}@kunde.example",
            template="signup_verification",
            language="en",
            context={"company_name": "Kunde GmbH", "admin_name": "Ada", "trial_days": 30,
                     "verification_url": "http://localhost:8000/signup/verify?token=t", "valid_until": "2026-05-06",
                     "unverified_days": 7},
            now=now,
        ))
        outbox.commit_with_mails(lambda tx: None, [mail], now)
        mail_ids.append(mail.mail_id)
    return mail_ids


# --- billing: a table of customers as the life-cycle code leaves them ------------------------------

BILLING_NOW = datetime.fromisoformat("2026-06-01T03:00:00+02:00")  # the night after May: Jan..May are due
BILLING_NEXT_CURSOR = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # 1 July 00:00 in Berlin
BILLING_ZONE = ZoneInfo("Europe/Berlin")
BILLING_ACCOUNTS = 10
BILLING_SEED = 20260601
# paid_from, the cancellation's effective date (the last paid day) or None
BILLING_PROFILES: list[tuple[str, str | None]] = [
    ("2026-01-01", None),  # Jan..May: 5 invoices
    ("2026-02-15", None),  # Feb (pro rata)..May: 4
    ("2026-04-01", None),  # Apr, May: 2
    ("2026-05-10", None),  # May (pro rata): 1
    ("2026-02-01", "2026-03-31"),  # cancelled: Feb, Mar, then the cursor is deleted
    ("2025-12-01", None),  # Dec 2025..May 2026: 6, all numbered in 2026 (the year of issue)
]
BILLING_NOT_YET_DUE_PAID_FROM = "2026-06-01"  # one more account whose first month is still running


def _midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=BILLING_ZONE)


def account_items(number: int, paid_from: str, ends_on: str | None, rng: random.Random) -> list[Any]:
    """One customer's partition as the life-cycle code leaves it: account, users, history, cursor."""
    from shared.storage.accounts import seat_event
    from shared.storage.attributes import CancellationRecord
    from shared.storage.lifecycle import edition_change
    from shared.storage.models import (
        Account,
        AppSubscriptionItem,
        BillableHoursEntry,
        User,
        account_pk,
    )
    from shared.storage.schedule import billing_cursor, first_billing_moment

    account_id = f"acc_{number:016x}"
    pk = account_pk(account_id)
    start = _midnight(paid_from)
    created = start - timedelta(days=40)
    converted = start - timedelta(days=10, hours=-9)
    edition = rng.choice(["basic", "team", "business"])
    account = Account(
        pk, "ACCOUNT", account_id=account_id, state="customer", company_name=f"Zuverlässig {number} GmbH",
        organization_type="company", country=rng.choice(["DE", "DE", "AT"]),
        vat_id=None, admin_name="Erika Mustermann", admin_email=f"admin-{number}@beispiel.example",
        language=rng.choice(["de", "en"]), dpa_version="2026-01", dpa_accepted_at=created, created_at=created,
        verified_at=created, paid_from=paid_from, edition=edition, street="Hauptstraße 5", postcode="70173",
        city="Stuttgart",
    )
    if account.country == "AT":
        account.vat_id = "ATU13585627"  # reverse charge on some invoices
    items: list[Any] = [account, edition_change(account_id, edition, converted, converted)]
    if ends_on is not None:  # cancelled: the cursor stays until the job finds billing ended and deletes it
        account.cancellation = CancellationRecord(
            received_on="2026-03-02", effective_on=ends_on, channel="api", recorded_at="2026-03-02T10:00:00+00:00",
        )
    items.append(billing_cursor(account_id, first_billing_moment(date.fromisoformat(paid_from), BILLING_ZONE)))

    people: list[tuple[str, str, datetime, datetime | None]] = [("admin", "Erika Mustermann", created, None)]
    for extra in range(rng.randint(0, 4)):
        joined = start + timedelta(days=rng.randint(-20, 100), hours=rng.randint(8, 18))
        left = joined + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.4 else None
        people.append((f"u{extra}", f"Person {number}-{extra}", joined, left))
    for user_id, name, joined, left in people:
        items.append(User(pk, f"USER#{user_id}", account_id=account_id, user_id=user_id,
                          email=f"{user_id}-{number}@beispiel.example", name=name,
                          role="admin" if user_id == "admin" else "user", active=left is None, created_at=joined))
        items.append(seat_event(account_id, user_id, True, joined))
        if left is not None:
            items.append(seat_event(account_id, user_id, False, left))
    if number % 4 == 1 and paid_from < "2026-03-01":
        upgrade = datetime(2026, 3, 12, 10, 0, tzinfo=BILLING_ZONE)
        items.append(edition_change(account_id, "business", upgrade, upgrade))
        items.append(edition_change(account_id, "basic", _midnight("2026-05-01"), upgrade + timedelta(days=20)))
    if number % 3 == 0 and paid_from < "2026-04-15":  # held from the 4th day to the end of April
        items.append(AppSubscriptionItem(
            pk, f"APP#telephony#{start.isoformat()}", account_id=account_id, app_id="telephony",
            subscribed_at=start + timedelta(days=3), cancelled_effective_at=_midnight("2026-05-01"),
        ))
    if number % 5 == 2:
        items.append(BillableHoursEntry(
            pk, f"HOURS#2026-05#sr-{number}", account_id=account_id, month="2026-05", hours=str(Decimal("1.5")),
            description="Data import", recorded_at=datetime(2026, 5, 20, 12, 0, tzinfo=UTC),
        ))
    return items


def load_accounts(count: int = BILLING_ACCOUNTS, seed: int = BILLING_SEED) -> dict[str, set[str]]:
    """Write `count` customers (plus one not yet due); returns account id -> the months it must be billed."""
    from shared.rules.billing import billable_months
    from shared.storage.models import CocoonItem

    rng = random.Random(seed)
    expected: dict[str, set[str]] = {}
    items: list[Any] = []
    for number in range(count):
        paid_from, ends_on = BILLING_PROFILES[number % len(BILLING_PROFILES)]
        partition = account_items(number, paid_from, ends_on, rng)
        items += partition
        ends = date.fromisoformat(ends_on) if ends_on else None
        months = billable_months(date.fromisoformat(paid_from), BILLING_NOW.astimezone(BILLING_ZONE).date(), ends)
        expected[partition[0].account_id] = {str(month) for month in months}
    items += account_items(count, BILLING_NOT_YET_DUE_PAID_FROM, None, rng)
    with CocoonItem.batch_write() as batch:
        for item in items:
            batch.save(item)
    return expected


def all_items() -> list[Any]:
    """Every item of the table (a test may Scan: the job never does)."""
    from shared.storage.models import CocoonItem

    return list(CocoonItem.scan(consistent_read=True))


def raw_items() -> dict[tuple[str, str], dict[str, Any]]:
    return {(item.pk, item.sk): item.serialize() for item in all_items()}


def contents(invoices: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(account, month) -> the invoice document without its number: what a crash must not change."""
    return {(i.account_id, i.month): {k: v for k, v in i.document.items() if k != "number"} for i in invoices}


def assert_billed_exactly_once(expected: dict[str, set[str]]) -> list[Any]:
    """One invoice per account and billable month, numbers 1..N, counter N, one mail each; returns them."""
    from shared.rules.billing import parse_invoice_number
    from shared.storage.models import InvoiceCounter, InvoiceDocument, OutboxMail, ScheduledAction

    items = all_items()
    invoices = [i for i in items if isinstance(i, InvoiceDocument)]
    billed: dict[str, list[str]] = {}
    for invoice in invoices:
        billed.setdefault(invoice.account_id, []).append(invoice.month)
        assert invoice.document["number"] == invoice.number and invoice.document["month"] == invoice.month
        assert invoice.lookup_key == f"INVOICE#{invoice.number}"
    assert {a: sorted(m) for a, m in billed.items()} == {a: sorted(m) for a, m in expected.items() if m}

    numbers = [parse_invoice_number(i.number) for i in invoices]
    assert {year for year, _ in numbers} == {2026}
    sequences = sorted(sequence for _, sequence in numbers)
    assert sequences == list(range(1, len(invoices) + 1)), f"gaps or duplicates: {sequences}"
    assert InvoiceCounter.get("COUNTER#INVOICE#2026", "COUNTER", consistent_read=True).last_sequence == len(invoices)

    mails = Counter((m.account_id, m.mail_id) for m in items if isinstance(m, OutboxMail))
    assert mails == Counter((i.account_id, f"invoice-{i.number}") for i in invoices)

    cursors = {
        i.account_id: i.due_at
        for i in items
        if isinstance(i, ScheduledAction) and i.due_job is not None and i.due_job.startswith("billing#")
    }
    for account_id in expected:
        cancelled = max(expected[account_id]) == "2026-03"
        assert cursors.get(account_id) == (None if cancelled else BILLING_NEXT_CURSOR.strftime("%Y-%m-%dT%H:%M:%SZ")), account_id
    return invoices


# --- the staff desk: members, mailed sign-in links, session cookies --------------------------------

DESK_NOW = "2026-11-23T10:00:00+01:00"


def desk_member(email: str = "agent@cocoon.example", role: str = "agent", name: str = "Ada Agent") -> str:
    """A staff member (as `cocoon staff add` makes one); returns the staff id."""
    from shared.storage.tokens import add_staff_member

    member, _ = add_staff_member(name, email, role, datetime.fromisoformat(DESK_NOW))
    return str(member.staff_id)


def desk_link_from_outbox(outbox_dir: Path, recipient: str) -> str:
    """The token of the newest sign-in mail to `recipient` (the mail job delivers it first)."""
    for path in sorted(outbox_dir.glob("signin-*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        if f"To: {recipient}" not in path.read_text():
            continue
        match = re.search(r"/desk/sign-in/confirm\?token=([A-Za-z0-9_\-]+)", mail_text(path))
        if match:
            return match.group(1)
    raise AssertionError(f"no sign-in mail to {recipient}")


def desk_request_link(client: Any, outbox_dir: Path, email: str, now: str = DESK_NOW) -> str:
    response = post_form(client, "/desk/sign-in", {"email": email}, now_header(now))
    assert response.status_code == 200, response.body
    deliver_mail(now)
    return desk_link_from_outbox(outbox_dir, email)


def desk_cookie_of(response: Any) -> str:
    """`name=value` of the session cookie a response sets."""
    set_cookie = response.headers.get("Set-Cookie", "")
    assert set_cookie, response.headers
    return set_cookie.split(";", 1)[0]


def desk_csrf_of(page: Any) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.body.decode() if isinstance(page.body, bytes) else page.body)
    assert match, page.body[:500]
    return match.group(1)


def desk_sign_in(client: Any, outbox_dir: Path, email: str, now: str = DESK_NOW) -> tuple[str, str]:
    """Sign in through the mailed link: (the Cookie header value, the session's CSRF token)."""
    token = desk_request_link(client, outbox_dir, email, now)
    confirmed = post_form(client, "/desk/sign-in/confirm", {"token": token}, now_header(now))
    assert confirmed.status_code == 303, confirmed.body
    cookie = desk_cookie_of(confirmed)
    home = client.http.get("/desk/home", headers={"Cookie": cookie, **now_header(now)})
    assert home.status_code == 200, home.body
    return cookie, desk_csrf_of(home)

CAMT053_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def camt053(statement_id: str, entries: list[dict[str, str]], namespace: str = CAMT053_NS) -> bytes:
    """A camt.053 statement: entries of amount, indicator (CRDT/DBIT), remittance, end_to_end, ref, reason."""
    rows = []
    for position, entry in enumerate(entries, start=1):
        reason = entry.get("reason")
        return_info = f"<RtrInf><Rsn><Cd>{reason}</Cd></Rsn></RtrInf>" if reason else ""
        rows.append(
            f"<Ntry><NtryRef>{entry.get('ref', f'E{position}')}</NtryRef>"
            f"<Amt Ccy=\"{entry.get('currency', 'EUR')}\">{entry['amount']}</Amt>"
            f"<CdtDbtInd>{entry.get('indicator', 'CRDT')}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
            f"<BookgDt><Dt>{entry.get('booked_on', '2026-04-10')}</Dt></BookgDt>"
            f"<NtryDtls><TxDtls><Refs><EndToEndId>{entry.get('end_to_end', 'NOTPROVIDED')}</EndToEndId></Refs>"
            f"<RmtInf><Ustrd>{entry.get('remittance', '')}</Ustrd></RmtInf>{return_info}</TxDtls></NtryDtls></Ntry>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{namespace}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>M-{statement_id}</MsgId><CreDtTm>2026-04-10T18:00:00+02:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id>{''.join(rows)}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


# --- killing a job at a DynamoDB call (the reliability tests of billing and dunning) ------------------------


class Killed(BaseException):
    """The process died. Not an Exception, so no `except Exception` in the job can carry on after it."""


@dataclass
class Injector:
    """Wraps BaseClient._make_api_call: counts DynamoDB calls and dies at the chosen one.

    After the crash every further call raises too, as nothing reaches the database from a dead
    process; that also stops the job's other worker threads at once.
    """

    at: int
    after: bool
    operation: str | None
    calls: int = 0
    dead: bool = False
    by_operation: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def make_api_call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name != "dynamodb":
                return original(client, operation_name, api_params)
            with self.lock:
                if self.dead:
                    raise Killed("after the crash")
                self.by_operation[operation_name] += 1
                hit = False
                if self.operation in (None, operation_name):
                    self.calls += 1
                    hit = self.calls == self.at
                if hit and not self.after:
                    self.dead = True
                    raise Killed(f"before {operation_name} #{self.calls}")
            try:
                return original(client, operation_name, api_params)
            finally:
                if hit:  # dies whether the call succeeded or was refused (e.g. a lost counter race)
                    self.dead = True
                    raise Killed(f"after {operation_name} #{self.calls}")

        return make_api_call


@contextmanager
def calls_counted(monkeypatch: pytest.MonkeyPatch, injector: Injector) -> Iterator[Injector]:
    with monkeypatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call",
                      injector.wrap(botocore.client.BaseClient._make_api_call))
        yield injector


def fresh_tables() -> None:
    from infra.dynamodb_local import create_tables
    from shared.settings import get_settings

    endpoint = get_settings().dynamodb_endpoint
    assert endpoint is not None
    create_tables(endpoint, recreate=True)


# --- an issued invoice (getting paid, dunning, direct debit) -------------------------------------------------

XML = {"Content-Type": "application/xml"}


def an_invoice(client, outbox_dir) -> tuple[dict, str]:
    """A customer on team from 10 Feb, billed for March on 1 April: invoice 2026-000001 ."""
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    post_json(
        client,
        f"/accounts/{verified['account_id']}/subscription",
        {"edition": "team"},
        {**auth(verified), **now_header("2026-02-10T15:00:00+01:00")},
    )
    from functions import billing

    assert billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00")).failed == 0
    return verified, "2026-000001"


def invoice_json(client, verified, number, moment="2026-04-10T12:00:00+02:00") -> dict:
    response = client.http.get(
        f"/accounts/{verified['account_id']}/invoices/{number}", headers={**auth(verified), **now_header(moment)}
    )
    assert response.status_code == 200
    return body_of(response)


def ticket_with_a_file(client: Any, outbox_dir: Path, sign_up: bool = True) -> str:
    """A ticket opened by mail with one attachment (HTML, so serving it as data matters); its number."""
    if sign_up:  # else the `customer` fixture's account (the same admin) writes
        signup_and_verify(client, outbox_dir, email=ADMIN)
    message = a_mail(ADMIN, "Export fails")
    message.add_attachment(b"<script>alert(1)</script> error log\n", maintype="text", subtype="html", filename="log.html")
    answer = take_in(client, message.as_bytes())
    assert answer["outcome"] == "ticket_created", answer
    return str(answer["ticket"])


def attachment_link(client: Any, desk: dict[str, str], number: str) -> str:
    """The one signed attachment link on the desk's ticket page."""
    page = client.http.get(f"/desk/tickets/{number}", headers=desk).body.decode()
    links = re.findall(r'href="(/desk/tickets/[^"]+/attachments/[^"]+)"', page)
    assert len(links) == 1, page
    return str(links[0].replace("&amp;", "&"))


# --- a copy of the project for the layer checks' attempts (tests/adversarial) ----------------------------------


def copy_of_project(into: Path) -> Path:
    """The project's packages and pyproject.toml, copied: an attempt on the layers never touches the real tree."""
    import shutil

    root = Path(__file__).resolve().parents[2]
    for package in ("functions", "shared", "infra"):
        shutil.copytree(root / package, into / package,
                        ignore=shutil.ignore_patterns("node_modules", "__pycache__", "*.toml", "templates"))
    shutil.copy(root / "pyproject.toml", into / "pyproject.toml")
    return into


def record_dynamodb_requests(monkeypatch: Any) -> list[str]:
    """The DynamoDB operations of the code under test, in order (recorded where botocore makes the call)."""
    seen: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            seen.append(operation)
        return original(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return seen


PROJECT_ROOT = Path(__file__).resolve().parents[2]


# A stranger's web-form ticket through the Chalice test client, in a fresh interpreter's code (`answer` after it).
FIRST_STRANGER_TICKET = (
    "from chalice.test import Client\n"
    "import app\n"
    "body = {'email': 'stranger@beispiel.example', 'subject': 'Export', 'description': 'fails'}\n"
    "with Client(app.app, stage_name='test') as client:\n"
    "    answer = client.http.post('/tickets', body=json.dumps(body), headers={'Content-Type': 'application/json',\n"
    "                              'X-Cocoon-Now': '2026-05-04T10:00:00+02:00'})\n"
)


def fresh_interpreter(code: str) -> str:
    """Run `code` in a fresh interpreter in the project root (a cold start's view); its last printed line."""
    answer = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=dict(os.environ),
                            capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr[-3000:]
    return answer.stdout.strip().splitlines()[-1]
