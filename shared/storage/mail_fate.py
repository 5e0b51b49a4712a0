"""What became of our mail (SPEC §12): SES's events recorded on the outbox item, and the stops they cause.

An event names its mail by our mail id (the SES tag); the outbox item carries it as its lookup key,
so it is found through the lookup index, never by a Scan. Each event is recorded once: the mail's
history holds {kind, at} of every event taken, and the history, the fate, the send facts and a
suppression the event causes are written in one transaction conditioned on the history read — so a
redelivered event, or two at once, change nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.expressions.update import Action

from shared.rules.clock import utc_iso
from shared.rules.ses_events import (
    MailEvent,
    event_detail,
    fate_after,
    stops_all_mail,
    stops_automatic_mail,
)
from shared.storage.attributes import FateEntry
from shared.storage.models import OutboxMail, SuppressedAddress
from shared.storage.suppressions import (
    address_failure_stop,
    complaint_may_replace,
    complaint_stop,
    suppression_of,
)

# What record_mail_event did.
UNKNOWN_MAIL = "unknown_mail"  # no mail id, or not one of ours: nothing changes
DUPLICATE = "duplicate"  # this event was recorded before: nothing changes
RECORDED = "recorded"
ADDRESS_STOPPED = "address_stopped"  # a permanent bounce: no more mail to the address
AUTOMATIC_MAIL_STOPPED = "automatic_mail_stopped"  # a complaint: no more automatic mail, for a while
HISTORY_FULL = "history_full"  # a mail with this many events is broken somewhere: logged, not grown
MAX_HISTORY = 30
_ATTEMPTS = 4


def mail_lookup_key(mail_id: str) -> str:
    return f"MAIL#{mail_id}"


def find_outbox_mail(mail_id: str) -> OutboxMail | None:
    """The outbox item of `mail_id`, read consistently (the index only says where it is)."""
    for item in OutboxMail.lookup_index.query(mail_lookup_key(mail_id), limit=2):
        if isinstance(item, OutboxMail) and item.mail_id == mail_id:
            try:
                return OutboxMail.get(item.pk, item.sk, consistent_read=True)
            except OutboxMail.DoesNotExist:
                return None
    return None


def record_mail_event(event: MailEvent, now: datetime) -> str:
    """Record `event` on its outbox mail and stop the address if the event says so; the outcome's name."""
    from shared.storage.db import ConditionFailed, Contended

    if not event.mail_id:
        return UNKNOWN_MAIL
    for _ in range(_ATTEMPTS):
        mail = find_outbox_mail(event.mail_id)
        if mail is None:
            return UNKNOWN_MAIL
        try:
            return _record(mail, event, now)
        except (ConditionFailed, Contended):
            continue  # another event of this mail got there first: read again
    raise Contended()


def _record(mail: OutboxMail, event: MailEvent, now: datetime) -> str:
    from pynamodb.expressions.condition import size

    from shared.storage.db import transaction

    at = utc_iso(event.at)
    history = list(mail.fate_history or [])
    if any(entry.kind == event.kind and entry.at == at for entry in history):
        return DUPLICATE
    if len(history) >= MAX_HISTORY:
        return HISTORY_FULL
    entry = FateEntry(kind=event.kind, at=at, detail=event_detail(event))
    actions: list[Action] = [OutboxMail.fate_history.set([*history, entry])]
    if fate := fate_after(mail.fate, event.kind):
        actions += [OutboxMail.fate.set(fate), OutboxMail.fate_at.set(event.at)]
    if event.kind == "send" and mail.ses_message_id is None:
        # SES accepted the mail: the mail job must not send it again (another engineer's send-once check).
        actions += [OutboxMail.ses_message_id.set(event.ses_message_id), OutboxMail.send_event_at.set(event.at)]
    stop, outcome = _stop_caused_by(mail, event, now)
    unchanged = size(OutboxMail.fate_history) == len(history) if history else OutboxMail.fate_history.does_not_exist()
    with transaction() as tx:
        tx.update(mail, actions=actions, condition=unchanged)
        if stop is not None:
            tx.save(stop)
    return outcome


def _addressed_to_mail(mail: OutboxMail, event: MailEvent) -> bool:
    """The event names the mail's own recipient (SES may list several; ours have one)."""
    ours = mail.recipient.strip().lower()
    return any(address.strip().lower() == ours for address in event.recipients)


def _stop_caused_by(mail: OutboxMail, event: MailEvent, now: datetime) -> tuple[SuppressedAddress | None, str]:
    """The suppression an event asks for (None: none), and the outcome that names it."""
    if not _addressed_to_mail(mail, event):
        return None, RECORDED
    # The event's moment, never later than now: a suppression does not start in the future.
    at = min(event.at, now)
    if stops_all_mail(event):
        reason = f"SES bounce {'/'.join(p for p in (event.bounce_type, event.bounce_subtype) if p)}"
        stop = address_failure_stop(
            mail.recipient, reason, at, source="ses-bounce", diagnostic=event.diagnostic, mail_id=mail.mail_id
        )
        return stop, ADDRESS_STOPPED
    if stops_automatic_mail(event):
        existing = suppression_of(mail.recipient)
        if not complaint_may_replace(existing, now):
            return None, RECORDED  # a stop of all mail stays as it is
        until = at + timedelta(days=_complaint_days())
        if existing is not None and existing.until is not None and existing.until > until:
            until = existing.until  # an older complaint, delivered late, does not shorten a newer one
        reason = f"SES complaint {event.complaint_type or 'unspecified'}"
        return complaint_stop(mail.recipient, reason, at, until, mail_id=mail.mail_id), AUTOMATIC_MAIL_STOPPED
    return None, RECORDED


def _complaint_days() -> int:
    from shared.policy import get_policy

    return get_policy().mail.complaint_suppression_days
