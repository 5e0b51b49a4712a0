"""The outbox: mails written in the transaction of their cause, delivered later by the mail job."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from shared.mail.render import render_mail
from shared.rules.clock import utc_iso
from shared.rules.signing import our_message_id
from shared.storage.models import OutboxMail, account_pk
from shared.storage.schedule import due_key, due_keys

MAIL_JOB = "mail"
CLAIM_SECONDS = 300
MAX_ATTEMPTS = 8

# Our mails must never trigger auto-replies or loops (RFC 3834).
AUTOMATIC_HEADERS = {
    "Auto-Submitted": "auto-generated",
    "X-Auto-Response-Suppress": "All",
    "X-Loop": "cocoon",
    "Precedence": "auto_reply",
}


def queue_mail(
    *,
    mail_id: str,
    account_id: str | None,
    recipient: str,
    template: str,
    language: str,
    context: dict[str, Any],
    now: datetime,
    extra_headers: dict[str, str] | None = None,
) -> OutboxMail:
    """An outbox item (not yet saved): the caller saves it in its own transaction.

    `mail_id` names the event (e.g. "verify-<account>"); saving it with the
    condition "does not exist" makes a second mail for the same event impossible.
    """
    from shared.secrets import link_keyring

    rendered = render_mail(template, language, context)
    headers = {**AUTOMATIC_HEADERS, "Message-ID": our_message_id(mail_id, link_keyring(), recipient)}
    headers.update(extra_headers or {})
    return OutboxMail(
        account_pk(account_id) if account_id else "SYSTEM",
        f"MAIL#{mail_id}",
        mail_id=mail_id,
        account_id=account_id,
        recipient=recipient,
        subject=rendered.subject,
        body_text=rendered.body_text,
        headers=headers,
        created_at=now,
        due_job=due_key(MAIL_JOB, mail_id),
        due_at=utc_iso(now),
    )


def due_mails(now: datetime, limit: int = 100) -> Iterator[OutboxMail]:
    """Undelivered mails whose time has come, from the sparse due index (never a Scan); up to `limit` per shard."""
    for key in due_keys(MAIL_JOB):
        for item in OutboxMail.due_index.query(key, OutboxMail.due_at <= utc_iso(now), limit=limit):
            if isinstance(item, OutboxMail):
                yield item


def claim(mail: OutboxMail, now: datetime) -> bool:
    """Take a mail for delivery for a few minutes, so two senders never deliver it at once."""
    from pynamodb.exceptions import UpdateError

    try:
        mail.update(
            actions=[OutboxMail.claimed_until.set(now + timedelta(seconds=CLAIM_SECONDS)), OutboxMail.attempts.add(1)],
            condition=OutboxMail.due_job.exists()
            & (OutboxMail.claimed_until.does_not_exist() | (OutboxMail.claimed_until < now)),
        )
    except UpdateError:
        return False
    return True


def mark_sent(mail: OutboxMail, now: datetime) -> None:
    mail.update(actions=[OutboxMail.sent_at.set(now), OutboxMail.due_job.remove(), OutboxMail.due_at.remove()])


def mark_failed_attempt(mail: OutboxMail, now: datetime) -> None:
    """Retry later with exponential backoff; after MAX_ATTEMPTS the mail leaves the queue (and is logged)."""
    attempts = int(mail.attempts or 0)
    if attempts >= MAX_ATTEMPTS:
        mail.update(actions=[OutboxMail.due_job.remove(), OutboxMail.due_at.remove()])
        return
    retry_at = now + timedelta(minutes=2**attempts)
    mail.update(actions=[OutboxMail.due_at.set(utc_iso(retry_at)), OutboxMail.claimed_until.remove()])
