"""The outbox: mails written in the transaction of their cause, delivered later by the mail job."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from shared.mail.render import render_mail
from shared.rules.clock import utc_iso
from shared.rules.limits import counts_against_mail_limit
from shared.rules.mail_headers import header_safe
from shared.rules.signing import our_message_id
from shared.storage.models import CocoonItem, OutboxMail, account_pk
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
        subject=header_safe(rendered.subject),
        body_text=rendered.body_text,
        headers=headers,
        created_at=now,
        due_job=due_key(MAIL_JOB, mail_id),
        due_at=utc_iso(now),
        template=template,
        lookup_key=f"MAIL#{mail_id}",  # SES's events name the mail id only (shared/storage/mail_fate.py)
    )


# --- the hourly limit of automatic mails per recipient (SPEC §6, §11) -------------------------------

RATE_LIMITED = "rate_limited"
_COMMIT_ATTEMPTS = 3


def hold_back(mail: OutboxMail) -> None:
    """Over the recipient's hourly limit: kept, visible with its fate, never delivered (not in the due index)."""
    mail.fate = RATE_LIMITED
    mail.due_job = None
    mail.due_at = None


def _counted_by_recipient(mails: list[OutboxMail], now: datetime) -> dict[str, list[OutboxMail]]:
    from shared.storage.rate_limits import mail_counter_pk

    groups: dict[str, list[OutboxMail]] = {}
    for mail in mails:
        if mail.fate is None and counts_against_mail_limit(mail.template):
            groups.setdefault(mail_counter_pk(mail.recipient, now), []).append(mail)
    return groups


def _hourly_limit() -> int:
    from shared.policy import get_policy

    return get_policy().support.auto_mail_per_recipient_per_hour


def save_mails(tx: Any, mails: list[OutboxMail], now: datetime) -> None:
    """Save mails in `tx`; automatic ones grow their recipient's hourly counter in the same transaction.

    The counter grows only while below the limit: a full counter refuses the transaction, and
    `commit_with_mails` then holds those mails back and commits again. Exempt mails add nothing.
    """
    from shared.storage.rate_limits import grow

    limit = _hourly_limit()
    for pk, group in _counted_by_recipient(mails, now).items():
        for extra in group[limit:]:
            hold_back(extra)
        grow(tx, pk, len(group[:limit]), limit, now)
    for mail in mails:
        tx.save(mail, condition=CocoonItem.pk.does_not_exist())


def commit_with_mails(write: Callable[[Any], None], mails: list[OutboxMail], now: datetime) -> None:
    """One transaction: `write(tx)` (the change) and its mails, automatic ones within the hourly limit.

    Within the limit this is one request, as before; over it, one more read and one more transaction,
    with the mails that no longer fit recorded as rate-limited. Any other refused condition is the
    caller's ConditionFailed, unchanged.
    """
    from shared.storage.db import ConditionFailed, Contended, transaction
    from shared.storage.rate_limits import RATE_PREFIX, current_count

    limit = _hourly_limit()
    for _ in range(_COMMIT_ATTEMPTS):
        try:
            with transaction() as tx:
                write(tx)
                save_mails(tx, mails, now)
            return
        except ConditionFailed as exc:
            full = {key for key in exc.refused if key[0].startswith(RATE_PREFIX)}
            if not full or exc.refused - full:
                raise
            for pk, group in _counted_by_recipient(mails, now).items():
                if (pk, "RATE") in full:
                    for mail in group[max(0, limit - current_count(pk)) :]:
                        hold_back(mail)
    raise Contended()


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


def mark_suppressed(mail: OutboxMail, now: datetime) -> None:
    """Never sent: the address is stopped for this kind of mail. Kept, with its fate, out of the queue."""
    mail.update(
        actions=[
            OutboxMail.fate.set("suppressed"),
            OutboxMail.fate_at.set(now),
            OutboxMail.due_job.remove(),
            OutboxMail.due_at.remove(),
        ]
    )


def mark_failed_attempt(mail: OutboxMail, now: datetime) -> None:
    """Retry later with exponential backoff; after MAX_ATTEMPTS the mail leaves the queue (and is logged)."""
    attempts = int(mail.attempts or 0)
    if attempts >= MAX_ATTEMPTS:
        mail.update(actions=[OutboxMail.due_job.remove(), OutboxMail.due_at.remove()])
        return
    retry_at = now + timedelta(minutes=2**attempts)
    mail.update(actions=[OutboxMail.due_at.set(utc_iso(retry_at)), OutboxMail.claimed_until.remove()])
