"""The mail job: delivers the outbox at least once, never twice for the same event."""

from __future__ import annotations

from datetime import datetime

from shared.jobs import JobResult, ProgressCallback
from shared.mail.transport import MailTransport, default_transport
from shared.observability import logger
from shared.storage import outbox
from shared.storage.suppressions import mail_stopped

JOB_NAME = "mail"


def run(now: datetime, progress: ProgressCallback | None = None, transport: MailTransport | None = None) -> JobResult:
    transport = transport or default_transport()
    result = JobResult(JOB_NAME)
    while True:
        batch = list(outbox.due_mails(now))
        claimed_any = False
        for mail in batch:
            if not outbox.claim(mail, now):
                result.skipped += 1  # another sender has it
                continue
            claimed_any = True
            if mail_stopped(mail.recipient, mail.template, now):
                outbox.mark_suppressed(mail, now)  # an address failure or a complaint stopped it: never sent
                result.count("suppressed")
                continue
            try:
                transport.send(mail)
            except Exception:
                logger.exception("mail delivery failed", extra={"mail_id": mail.mail_id})
                outbox.mark_failed_attempt(mail, now)
                result.failed += 1
                continue
            outbox.mark_sent(mail, now)
            result.done += 1
            if progress:
                progress(result.done, None)
        if not claimed_any:
            return result
