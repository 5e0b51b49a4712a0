"""Delivering a rendered outbox mail: SES in AWS, `.eml` files locally."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from shared.rules.mail_headers import header_safe
from shared.settings import get_settings

if TYPE_CHECKING:
    from shared.mail.local_events import EventRecorder


@dataclass(frozen=True)
class Attachment:
    """A file sent with a mail (an invoice's PDF): rendered when the mail leaves, never stored in the outbox."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingMail:
    """One mail as the transports see it: a plain value, however the outbox stores it."""

    mail_id: str
    recipient: str
    subject: str
    body_text: str
    created_at: datetime
    headers: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


class MailTransport(Protocol):
    def send(self, mail: OutgoingMail, now: datetime) -> str:
        """Deliver the mail; the id the service gave it (SES's MessageId). Raises MailNotAccepted when
        the service answered that it did not take the mail; any other error may mean it did."""
        ...


class MailNotAccepted(Exception):
    """The mail service refused the mail (an error answer): a retry cannot duplicate it."""


def as_email_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    """The mail as sent. Every header value is made one line here (the mail boundary): a CR/LF stored
    anywhere can neither inject a header (Bcc:) nor make the mail fail on every attempt."""
    message = EmailMessage()
    message["From"] = header_safe(sender)
    message["To"] = header_safe(mail.recipient)
    message["Subject"] = header_safe(mail.subject)
    message["Date"] = format_datetime(mail.created_at)
    for name, value in (mail.headers or {}).items():
        message[header_safe(name)] = header_safe(str(value))
    message.set_content(mail.body_text)
    for attachment in getattr(mail, "attachments", None) or ():  # callers may hand a stored mail (None)
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=header_safe(attachment.filename)
        )
    return message


class EmlDirectoryTransport:
    """Writes `<mail_id>.eml` once: a file that exists means the mail was already delivered."""

    def __init__(
        self, directory: Path, sender: str, *, emit_events: bool = True, record_event: EventRecorder | None = None
    ) -> None:
        self.directory = directory
        self.sender = sender
        self.emit_events = emit_events
        self.record_event = record_event

    def send(self, mail: OutgoingMail, now: datetime) -> str:
        from shared.mail.local_events import local_message_id, publish_local_events

        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{mail.mail_id}.eml"
        if not target.exists():
            partial = target.with_suffix(f".eml.{os.getpid()}.tmp")
            partial.write_bytes(as_email_message(mail, self.sender).as_bytes())
            # Atomic: a reader never sees half a mail, and a crash leaves no .eml behind.
            partial.replace(target)
        message_id = local_message_id(mail.mail_id)
        if self.emit_events and self.record_event is not None:
            # No SES here: the events SES would publish (send, then delivery) go the same way theirs do.
            publish_local_events(mail.mail_id, mail.recipient, message_id, self.sender, now, self.record_event)
        return message_id


class SesTransport:
    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self.client = client
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, mail: OutgoingMail, now: datetime) -> str:
        from botocore.exceptions import ClientError

        from shared.rules.ses_events import MAIL_ID_TAG, mail_id_tag_value

        raw = as_email_message(mail, self.sender).as_bytes()
        request: dict[str, Any] = {"Content": {"Raw": {"Data": raw}}}
        # The configuration set publishes this mail's events (send, delivery, bounce, ...) to SNS, and
        # the tag names the mail in each (reversibly encoded: shared/rules/ses_events.py).
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        tag = mail_id_tag_value(mail.mail_id)
        if tag is not None:
            request["EmailTags"] = [{"Name": MAIL_ID_TAG, "Value": tag}]
        try:
            # SES's own dedup does not exist; the outbox's claim keeps senders from overlapping, and the
            # recorded attempt with SES's Send event (tagged with our mail id) keeps a retry from resending.
            response = self.client.send_email(**request)
        except ClientError as exc:
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 500)
            if status < 500:  # SES answered "no" (rejected, throttled, not allowed): it does not have the mail
                raise MailNotAccepted(str(exc.response.get("Error", {}).get("Code", "ClientError"))) from exc
            raise  # a 5xx: SES may have taken it
        return str(response["MessageId"])


@cache
def default_transport(record_event: EventRecorder | None = None) -> MailTransport:
    """The stage's transport; `record_event` records the local transport's SES-shaped events (none in AWS)."""
    settings = get_settings()
    if settings.mail_via_ses:
        import boto3
        from botocore.config import Config

        if not settings.ses_configuration_set:
            # Without it SES publishes no event: bounces, complaints and the send-once check would be blind.
            raise RuntimeError("COCOON_SES_CONFIGURATION_SET is not set: mail is not sent through SES without it")
        # No retries inside botocore: a retry after a read timeout would hand SES the same mail twice.
        # The mail job retries instead, after waiting for the first attempt's Send event.
        no_retries = Config(retries={"total_max_attempts": 1, "mode": "standard"})
        return SesTransport(
            boto3.client("sesv2", region_name=settings.region, config=no_retries),
            settings.mail_from,
            settings.ses_configuration_set,
        )
    return EmlDirectoryTransport(settings.outbox_dir, settings.mail_from, record_event=record_event)
