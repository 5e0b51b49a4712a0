"""The outbox: mails written in the transaction of their cause, delivered later by the mail job."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

from shared.rules.clock import utc_iso
from shared.rules.limits import counts_against_mail_limit
from shared.storage.models import CocoonItem, OutboxMail, account_pk
from shared.storage.schedule import due_key, due_keys

MAIL_JOB = "mail"
CLAIM_SECONDS = 300
MAX_ATTEMPTS = 8


class MailToStore(Protocol):
    """A composed mail (shared/mail/compose.py `ComposedMail`): storage stores it as it is and renders nothing;
    the mail job renders it from its template, language and plain context when it sends it."""

    @property
    def mail_id(self) -> str: ...
    @property
    def account_id(self) -> str | None: ...
    @property
    def recipient(self) -> str: ...
    @property
    def template(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def context(self) -> Mapping[str, Any]: ...
    @property
    def subject_tag(self) -> str | None: ...
    @property
    def composed_at(self) -> datetime: ...
    @property
    def headers(self) -> Mapping[str, str]: ...


def outbox_mail(mail: MailToStore, attachments: list[dict[str, str]] | None = None) -> OutboxMail:
    """An outbox item (not yet saved) for a composed mail: the caller saves it in its own transaction.
    `attachments` are references (an invoice's PDF) the mail job renders when it sends, never stored bytes.

    Its key is the mail's event id: saving it with the condition "does not exist" makes a second
    mail for the same event impossible.
    """
    return OutboxMail(
        account_pk(mail.account_id) if mail.account_id else "SYSTEM",
        f"MAIL#{mail.mail_id}",
        mail_id=mail.mail_id,
        account_id=mail.account_id,
        recipient=mail.recipient,
        language=mail.language,
        context=dict(mail.context),
        subject_tag=mail.subject_tag,
        headers=dict(mail.headers),
        created_at=mail.composed_at,
        due_job=due_key(MAIL_JOB, mail.mail_id),
        due_at=utc_iso(mail.composed_at),
        template=mail.template,
        lookup_key=f"MAIL#{mail.mail_id}",  # SES's events name the mail id only (shared/storage/mail_fate.py)
        attachments=attachments or None,  # references the mail job renders when it sends
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


def _refused_or_raise(exc: Exception) -> None:
    """A refused condition is an answer (another sender has the mail); any other failure is not: it raises."""
    from shared.storage.errors import StorageUnavailable, is_condition_failure

    if not is_condition_failure(exc):
        raise StorageUnavailable("the outbox mail was not updated") from exc


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
    except UpdateError as exc:
        _refused_or_raise(exc)
        return False
    return True


def mark_sent(
    mail: OutboxMail, now: datetime, ses_message_id: str | None = None, sent: tuple[str, str] | None = None
) -> None:
    """Out of the queue. Unconditional and repeatable: a second mark (or SES's event meanwhile) changes nothing.

    `sent`: the subject and body it was rendered to, kept as the record of what went out (a later
    template change does not rewrite it).
    """
    actions: list[Any] = [OutboxMail.sent_at.set(now), OutboxMail.due_job.remove(), OutboxMail.due_at.remove()]
    if sent is not None:
        actions += [OutboxMail.subject.set(sent[0]), OutboxMail.body_text.set(sent[1])]
    if ses_message_id:
        actions.append(OutboxMail.ses_message_id.set(OutboxMail.ses_message_id | ses_message_id))
    mail.update(actions=actions)


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


def mark_failed_attempt(
    mail: OutboxMail, now: datetime, *, maybe_accepted: bool = False, wait: timedelta = timedelta(0)
) -> None:
    """Retry later with exponential backoff; after MAX_ATTEMPTS the mail leaves the queue (and is logged).

    `maybe_accepted`: the service may have taken the mail although the call failed (a timeout, a 5xx):
    the attempt's start is kept, so the retry waits for its send event like after a crash. A mail
    the service refused is free to go again at the backoff. Only our own attempt is changed.
    """
    from pynamodb.exceptions import UpdateError

    ours = OutboxMail.send_attempt_id == mail.send_attempt_id if mail.send_attempt_id else None
    attempts = int(mail.attempts or 0)
    try:
        if attempts >= MAX_ATTEMPTS:
            mail.update(actions=[OutboxMail.due_job.remove(), OutboxMail.due_at.remove()], condition=ours)
            return
        retry_at = now + timedelta(minutes=2**attempts)
        actions: list[Any] = [OutboxMail.claimed_until.remove()]
        if maybe_accepted and mail.send_started_at:
            retry_at = max(retry_at, mail.send_started_at + wait)
        else:
            actions += [OutboxMail.send_started_at.remove(), OutboxMail.send_attempt_id.remove()]
        mail.update(actions=[OutboxMail.due_at.set(utc_iso(retry_at)), *actions], condition=ours)
    except UpdateError as exc:
        _refused_or_raise(exc)
        return  # another sender took the mail over meanwhile: its attempt decides


# --- sending once: a crash between SES taking a mail and our mark must not send it again -------------

ALREADY_SENT = "already_sent"
AWAITING_SEND_EVENT = "awaiting_send_event"
TAKEN = "taken"  # another sender holds it, or it left the queue meanwhile


def claim_for_sending(mail: OutboxMail, now: datetime, wait: timedelta) -> bool:
    """Claim the mail and record the start of a send attempt, in one conditional write, before SES is called.

    Refused while another sender holds it, once SES is known to have it (its MessageId or Send
    event), and while an earlier attempt's send event may still come (`wait` since that start).
    """
    from uuid import uuid4

    from pynamodb.exceptions import UpdateError

    free = OutboxMail.claimed_until.does_not_exist() | (OutboxMail.claimed_until < now)
    no_earlier_attempt = OutboxMail.send_started_at.does_not_exist() | (OutboxMail.send_started_at <= now - wait)
    not_with_ses = OutboxMail.ses_message_id.does_not_exist() & OutboxMail.send_event_at.does_not_exist()
    try:
        mail.update(
            actions=[
                OutboxMail.claimed_until.set(now + timedelta(seconds=CLAIM_SECONDS)),
                OutboxMail.attempts.add(1),
                OutboxMail.send_started_at.set(now),
                OutboxMail.send_attempt_id.set(uuid4().hex),
            ],
            condition=OutboxMail.due_job.exists() & free & not_with_ses & no_earlier_attempt,
        )
    except UpdateError as exc:
        _refused_or_raise(exc)
        return False
    return True


def settle_unclaimed(mail: OutboxMail, now: datetime, wait: timedelta) -> str:
    """Why `claim_for_sending` refused, acted upon (one consistent read; only after a refusal).

    SES has the mail (an earlier attempt's MessageId or Send event): it is marked sent, never sent
    again. An earlier attempt started less than `wait` ago without either: its Send event may still
    come, so the mail waits until `wait` after that start (then it is sent again: README, "Sent once").
    """
    from pynamodb.exceptions import UpdateError

    try:
        fresh = OutboxMail.get(mail.pk, mail.sk, consistent_read=True)
    except OutboxMail.DoesNotExist:
        return TAKEN
    if fresh.due_job is None or (fresh.claimed_until is not None and fresh.claimed_until >= now):
        return TAKEN
    if fresh.ses_message_id or fresh.send_event_at:
        mark_sent(fresh, now)
        return ALREADY_SENT
    if fresh.send_started_at is None or fresh.send_started_at <= now - wait:
        return TAKEN  # changed since the claim was refused: the next run sees it afresh
    try:
        fresh.update(
            actions=[OutboxMail.due_at.set(utc_iso(fresh.send_started_at + wait))],
            condition=(OutboxMail.send_started_at == fresh.send_started_at) & OutboxMail.due_job.exists(),
        )
    except UpdateError as exc:
        _refused_or_raise(exc)
        return TAKEN
    return AWAITING_SEND_EVENT
