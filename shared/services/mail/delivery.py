"""The mail job's use case: deliver the outbox at least once, never twice for the same event.

Sending once (README, "Sent once"): the claim records that a send attempt started before SES is
called, and SES's MessageId is recorded when the call returns. A mail still in the queue with an
earlier attempt (the sender died between SES and the mark) is sent again only when SES has shown
no sign of it (no MessageId, no Send event, which carries our mail id as a tag) for
`mail.send_event_wait_minutes` since that attempt started; with a sign of it, it is marked sent.

The outbox is a port (`DeliveryOutbox`): the storage's outbox in the job, an in-memory fake in the
service's unit tests (tests/unit/services/test_mail_delivery.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from shared.jobs import JobResult, ProgressCallback
from shared.mail.transport import Attachment, MailNotAccepted, MailTransport, OutgoingMail
from shared.observability import logger
from shared.storage.outbox import ALREADY_SENT, TAKEN

JOB_NAME = "mail"


class DeliveryOutbox(Protocol):
    """The outbox as the mail job uses it (shared/storage/outbox.py and suppressions, or a fake)."""

    def due_mails(self, now: datetime) -> Iterable[Any]: ...
    def claim_for_sending(self, mail: Any, now: datetime, wait: timedelta) -> bool: ...
    def settle_unclaimed(self, mail: Any, now: datetime, wait: timedelta) -> str: ...
    def mail_stopped(self, recipient: str, template: str | None, now: datetime) -> bool: ...
    def mark_suppressed(self, mail: Any, now: datetime) -> None: ...
    def mark_failed_attempt(
        self, mail: Any, now: datetime, *, maybe_accepted: bool = False, wait: timedelta = timedelta(0)
    ) -> None: ...
    def mark_sent(
        self, mail: Any, now: datetime, ses_message_id: str | None = None, sent: tuple[str, str] | None = None
    ) -> None: ...


class StoredOutbox:
    """The outbox in DynamoDB: the storage functions, as the port's methods."""

    def __init__(self) -> None:
        from shared.storage import outbox
        from shared.storage.suppressions import mail_stopped

        self.due_mails = outbox.due_mails
        self.claim_for_sending = outbox.claim_for_sending
        self.settle_unclaimed = outbox.settle_unclaimed
        self.mail_stopped = mail_stopped
        self.mark_suppressed = outbox.mark_suppressed
        self.mark_failed_attempt = outbox.mark_failed_attempt
        self.mark_sent = outbox.mark_sent


def send_event_wait() -> timedelta:
    from shared.policy import get_policy

    return timedelta(minutes=get_policy().mail.send_event_wait_minutes)


def outgoing(mail: Any) -> OutgoingMail:
    """The stored mail as the plain value a transport sends, rendered now from its template, language and
    context (a mail stored with its text, as before mails were rendered at sending, is sent as stored)."""
    from shared.mail.compose import stored_mail_text

    text = stored_mail_text(mail)
    headers = {str(name): str(value) for name, value in (mail.headers or {}).items()}
    attachments: tuple[Attachment, ...] = ()
    if mail.attachments:  # an invoice's or credit note's PDF, rendered now (never stored in the outbox)
        from shared.services.billing.attachments import mail_attachments

        attachments = mail_attachments(mail.attachments)
    return OutgoingMail(
        mail.mail_id, mail.recipient, text.subject, text.body_text, mail.created_at, headers, attachments
    )


def default_transport() -> MailTransport:
    """The stage's transport, recording the local transport's SES-shaped events like SES's."""
    from shared.mail.transport import default_transport as stage_transport
    from shared.storage.mail_fate import record_mail_event

    return stage_transport(record_mail_event)


def deliver_due_mails(
    now: datetime,
    progress: ProgressCallback | None = None,
    transport: MailTransport | None = None,
    outbox: DeliveryOutbox | None = None,
) -> JobResult:
    """Claim, send and settle every due mail until a pass claims nothing."""
    transport = transport or default_transport()
    store: DeliveryOutbox = outbox or StoredOutbox()
    wait = send_event_wait()
    result = JobResult(JOB_NAME)
    while True:
        batch = list(store.due_mails(now))
        claimed_any = False
        for mail in batch:
            if not store.claim_for_sending(mail, now, wait):
                outcome = store.settle_unclaimed(mail, now, wait)
                if outcome == TAKEN:
                    result.skipped += 1  # another sender has it
                else:
                    result.count(outcome)
                    claimed_any = claimed_any or outcome == ALREADY_SENT
                continue
            claimed_any = True
            if store.mail_stopped(mail.recipient, mail.template, now):
                store.mark_suppressed(mail, now)  # an address failure or a complaint stopped it: never sent
                result.count("suppressed")
                continue
            try:
                sending = outgoing(mail)
            except Exception:
                # A template that no longer renders this mail's context: retried (a fix may be deployed), then
                # given up like any mail that cannot go; never sent half-rendered.
                logger.exception("mail could not be rendered", extra={"mail_id": mail.mail_id})
                store.mark_failed_attempt(mail, now)
                result.failed += 1
                continue
            try:
                ses_message_id = transport.send(sending, now)
            except MailNotAccepted as exc:
                logger.warning("mail refused by the mail service", extra={"mail_id": mail.mail_id, "code": str(exc)})
                store.mark_failed_attempt(mail, now)
                result.failed += 1
                continue
            except Exception:
                # A timeout or a 5xx may hide an accepted mail: the retry waits for its send event first.
                logger.exception("mail delivery failed", extra={"mail_id": mail.mail_id})
                store.mark_failed_attempt(mail, now, maybe_accepted=True, wait=wait)
                result.failed += 1
                continue
            store.mark_sent(mail, now, ses_message_id, sent=(sending.subject, sending.body_text))
            result.done += 1
            if progress:
                progress(result.done, None)
        if not claimed_any:
            return result
