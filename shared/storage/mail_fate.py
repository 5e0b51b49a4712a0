"""What SES tells us about our mails, recorded on their outbox items.

Minimal version for sending once and the local event path (the SES-events work owns this module):
any event of a mail proves SES took it (its MessageId); a Send event records its moment, a
delivery the fate. Repeatable and in any order: SES delivers its events at least once, unordered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.rules.ses_events import MailEvent
from shared.storage.models import OutboxMail

UNKNOWN_MAIL = "unknown_mail"
RECORDED = "recorded"


def outbox_lookup_key(mail_id: str) -> str:
    return f"MAIL#{mail_id}"


def find_mail(mail_id: str) -> OutboxMail | None:
    for item in OutboxMail.lookup_index.query(outbox_lookup_key(mail_id), limit=1):
        if isinstance(item, OutboxMail):
            return item
    return None


def record_mail_event(event: MailEvent, now: datetime) -> str:
    mail = find_mail(event.mail_id) if event.mail_id else None
    if mail is None:
        return UNKNOWN_MAIL  # not a mail of ours (or gone with its account): changes nothing
    actions: list[Any] = [OutboxMail.ses_message_id.set(OutboxMail.ses_message_id | event.ses_message_id)]
    if event.kind == "send":
        actions += [OutboxMail.send_event_at.set(OutboxMail.send_event_at | event.at)]
        if mail.fate is None:
            actions.append(OutboxMail.fate.set("sent"))
    elif event.kind == "delivery":
        actions.append(OutboxMail.fate.set("delivered"))
    mail.update(actions=actions)
    return RECORDED
