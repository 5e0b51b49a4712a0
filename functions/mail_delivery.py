"""The mail job: delivers the outbox at least once, never twice for the same event.

Sending once (README, "Sent once"): the claim records that a send attempt started before SES is
called, and SES's MessageId is recorded when the call returns. A mail still in the queue with an
earlier attempt (the sender died between SES and the mark) is sent again only when SES has shown
no sign of it (no MessageId, no Send event, which carries our mail id as a tag) for
`mail.send_event_wait_minutes` since that attempt started; with a sign of it, it is marked sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from shared.jobs import JobResult, ProgressCallback
from shared.mail.transport import Attachment, MailNotAccepted, MailTransport, OutgoingMail, default_transport
from shared.observability import logger
from shared.storage import outbox
from shared.storage.mail_fate import record_mail_event
from shared.storage.suppressions import mail_stopped

if TYPE_CHECKING:  # the type only: the loop moves to a mail service next (issue 14)
    from shared.storage.models import OutboxMail

JOB_NAME = "mail"


def send_event_wait() -> timedelta:
    from shared.policy import get_policy

    return timedelta(minutes=get_policy().mail.send_event_wait_minutes)


def outgoing(mail: OutboxMail) -> OutgoingMail:
    """The stored mail as the plain value a transport sends."""
    headers = {str(name): str(value) for name, value in (mail.headers or {}).items()}
    attachments: tuple[Attachment, ...] = ()
    if mail.attachments:  # an invoice's or credit note's PDF, rendered now (never stored in the outbox)
        from shared.services.billing.attachments import mail_attachments

        attachments = mail_attachments(mail.attachments)
    return OutgoingMail(
        mail.mail_id, mail.recipient, mail.subject, mail.body_text, mail.created_at, headers, attachments
    )


def run(now: datetime, progress: ProgressCallback | None = None, transport: MailTransport | None = None) -> JobResult:
    transport = transport or default_transport(record_mail_event)
    wait = send_event_wait()
    result = JobResult(JOB_NAME)
    while True:
        batch = list(outbox.due_mails(now))
        claimed_any = False
        for mail in batch:
            if not outbox.claim_for_sending(mail, now, wait):
                outcome = outbox.settle_unclaimed(mail, now, wait)
                if outcome == outbox.TAKEN:
                    result.skipped += 1  # another sender has it
                else:
                    result.count(outcome)
                    claimed_any = claimed_any or outcome == outbox.ALREADY_SENT
                continue
            claimed_any = True
            if mail_stopped(mail.recipient, mail.template, now):
                outbox.mark_suppressed(mail, now)  # an address failure or a complaint stopped it: never sent
                result.count("suppressed")
                continue
            try:
                ses_message_id = transport.send(outgoing(mail), now)
            except MailNotAccepted as exc:
                logger.warning("mail refused by the mail service", extra={"mail_id": mail.mail_id, "code": str(exc)})
                outbox.mark_failed_attempt(mail, now)
                result.failed += 1
                continue
            except Exception:
                # A timeout or a 5xx may hide an accepted mail: the retry waits for its send event first.
                logger.exception("mail delivery failed", extra={"mail_id": mail.mail_id})
                outbox.mark_failed_attempt(mail, now, maybe_accepted=True, wait=wait)
                result.failed += 1
                continue
            outbox.mark_sent(mail, now, ses_message_id)
            result.done += 1
            if progress:
                progress(result.done, None)
        if not claimed_any:
            return result
