"""The mail job's entry: delivers the outbox through the mail service (shared/services/mail/delivery.py)."""

from __future__ import annotations

from datetime import datetime

from shared.jobs import JobResult, ProgressCallback
from shared.mail.transport import MailTransport
from shared.services.mail.delivery import JOB_NAME, deliver_due_mails

__all__ = ["JOB_NAME", "run"]


def run(now: datetime, progress: ProgressCallback | None = None, transport: MailTransport | None = None) -> JobResult:
    return deliver_due_mails(now, progress, transport)
