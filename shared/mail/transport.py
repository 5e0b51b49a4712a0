"""Delivering a rendered outbox mail: SES in AWS, `.eml` files locally."""

from __future__ import annotations

import os
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from shared.rules.mail_headers import header_safe
from shared.settings import get_settings
from shared.storage.models import OutboxMail


class MailTransport(Protocol):
    def send(self, mail: OutboxMail) -> None: ...


def as_email_message(mail: OutboxMail, sender: str) -> EmailMessage:
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
    return message


class EmlDirectoryTransport:
    """Writes `<mail_id>.eml` once: a file that exists means the mail was already delivered."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    def send(self, mail: OutboxMail) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / f"{mail.mail_id}.eml"
        if target.exists():
            return
        partial = target.with_suffix(f".eml.{os.getpid()}.tmp")
        partial.write_bytes(as_email_message(mail, self.sender).as_bytes())
        # Atomic: a reader never sees half a mail, and a crash leaves no .eml behind.
        partial.replace(target)


class SesTransport:
    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self.client = client
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, mail: OutboxMail) -> None:
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
        # SES's own dedup does not exist; the outbox's claim keeps senders from overlapping.
        self.client.send_email(**request)


@cache
def default_transport() -> MailTransport:
    settings = get_settings()
    if settings.mail_via_ses:
        import boto3

        if not settings.ses_configuration_set:
            # Without it SES publishes no event: bounces, complaints and the send-once check would be blind.
            raise RuntimeError("COCOON_SES_CONFIGURATION_SET is not set: mail is not sent through SES without it")

        return SesTransport(
            boto3.client("sesv2", region_name=settings.region), settings.mail_from, settings.ses_configuration_set
        )
    return EmlDirectoryTransport(settings.outbox_dir, settings.mail_from)
