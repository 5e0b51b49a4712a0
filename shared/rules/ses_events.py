"""What SES tells us about our outgoing mail (SPEC §12): its events, read into one shape, and what they mean.

Pure: no AWS, no clock. Two formats arrive as the SNS Message: SES event publishing (a configuration
set's event destination: `eventType`, with our message tags in `mail.tags`) and the older identity
notifications (`notificationType`, no tags), as in ../shared/testdata/ses_notifications/.

Our mail id travels as the SES message tag `mail_id`. A tag value may hold only ASCII letters,
digits, `_` and `-` (at most 256 characters). Our mail ids are made of those, so the tag is the id
itself; any other id (or one starting with `b64-`) travels as `b64-` + its UTF-8 in unpadded
base64url, whose alphabet is tag-safe, and `mail_id_from_tag` reverses both. A tag written before
(the id with `#` replaced by `-`) reads back unchanged, as no mail id ever held a `#`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAIL_ID_TAG = "mail_id"
_TAG_MAX = 256
_TAG_SAFE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_ENCODED = "b64-"  # then the id's UTF-8 in unpadded base64url, whose alphabet is tag-safe

# SES's names (both formats) → ours. Open, Click and Subscription events are not ours to track.
_KINDS = {
    "Send": "send",
    "Delivery": "delivery",
    "Bounce": "bounce",
    "Complaint": "complaint",
    "Reject": "reject",
    "DeliveryDelay": "delivery_delay",
    "Rendering Failure": "rendering_failure",
}
# Where each kind keeps its details and its own moment (send, reject, rendering failure: the mail's).
_DETAILS = {
    "send": "send",
    "delivery": "delivery",
    "bounce": "bounce",
    "complaint": "complaint",
    "reject": "reject",
    "delivery_delay": "deliveryDelay",
    "rendering_failure": "failure",
}
# What a mail's fate is after an event of each kind.
FATE_OF_KIND = {
    "send": "sent",
    "delivery": "delivered",
    "bounce": "bounced",
    "complaint": "complained",
    "reject": "rejected",
    "delivery_delay": "delayed",
    "rendering_failure": "rendering_failed",
}
# Events arrive in any order (SNS does not keep it): a fate only moves forward. A delay is followed
# by a delivery or a bounce, a delivery may be followed by a complaint, never the other way round.
_FATE_RANK = {
    "sent": 1,
    "delayed": 2,
    "delivered": 3,
    "bounced": 4,
    "rejected": 4,
    "rendering_failed": 4,
    "complained": 5,
}
# The only bounce type that says the address itself is gone (SES subtypes General, NoEmail,
# Suppressed, OnAccountSuppressionList, ...: SES itself will not deliver to it again). Transient
# (mailbox full, too large, content refused) and Undetermined never stop mail.
PERMANENT_BOUNCE = "Permanent"
# A feedback report saying the mail is NOT spam (RFC 5965 `not-spam`) is no complaint about us.
_NOT_A_COMPLAINT = frozenset({"not-spam"})
_DETAIL_KEPT = 500  # a diagnostic is for staff to read, not a transcript


@dataclass(frozen=True)
class MailEvent:
    """One SES event about one mail of ours (or of someone we cannot tell: `mail_id` None)."""

    kind: str  # send, delivery, bounce, complaint, reject, delivery_delay, rendering_failure
    mail_id: str | None
    ses_message_id: str
    at: datetime
    recipients: tuple[str, ...] = ()
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    diagnostic: str | None = None
    complaint_type: str | None = None


def mail_id_tag_value(mail_id: str) -> str | None:
    """The tag value that carries `mail_id` (reversible); None if it would not fit SES's 256 characters."""
    if _TAG_SAFE.fullmatch(mail_id) and not mail_id.startswith(_ENCODED):
        value = mail_id
    else:
        value = _ENCODED + base64.urlsafe_b64encode(mail_id.encode("utf-8")).decode("ascii").rstrip("=")
    return value if 0 < len(value) <= _TAG_MAX else None


def mail_id_from_tag(value: str) -> str | None:
    """The mail id a tag value carries; None for a value we did not write."""
    if not _TAG_SAFE.fullmatch(value):
        return None
    if not value.startswith(_ENCODED):
        return value
    encoded = value.removeprefix(_ENCODED)
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8") or None
    except (binascii.Error, ValueError):
        return None


def event_type_name(message: str) -> str:
    """The SES type a message claims, for logs and metrics only: never an address or free text."""
    try:
        data = json.loads(message)
    except (ValueError, RecursionError):
        return "unreadable"
    if not isinstance(data, dict):
        return "unreadable"
    name = data.get("eventType", data.get("notificationType"))
    if isinstance(name, str) and re.fullmatch(r"[A-Za-z ]{1,40}", name):
        return name
    return "untyped"


def parse_ses_event(message: str) -> MailEvent | None:
    """The event in an SNS Message from SES; None for anything else, unknown or malformed (no effect)."""
    try:
        data = json.loads(message)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    kind = _KINDS.get(_text(data.get("eventType", data.get("notificationType"))) or "")
    mail = _object(data.get("mail"))
    ses_message_id = _text(mail.get("messageId"))
    if kind is None or not ses_message_id:
        return None
    details = _object(data.get(_DETAILS[kind]))
    if kind not in {"send", "reject", "rendering_failure"} and not details:
        return None
    at = _moment(details.get("timestamp")) or _moment(mail.get("timestamp"))
    if at is None:
        return None
    event = MailEvent(
        kind=kind,
        mail_id=_tagged_mail_id(mail.get("tags")),
        ses_message_id=ses_message_id,
        at=at,
        recipients=_recipients(kind, details, mail),
    )
    if kind == "bounce":
        bounce_type = _text(details.get("bounceType"))
        if not bounce_type:
            return None
        return _with(
            event,
            bounce_type=bounce_type,
            bounce_subtype=_text(details.get("bounceSubType")),
            diagnostic=_first_diagnostic(details.get("bouncedRecipients")),
        )
    if kind == "complaint":
        return _with(event, complaint_type=_text(details.get("complaintFeedbackType")))
    if kind == "delivery_delay":
        return _with(
            event,
            bounce_subtype=_text(details.get("delayType")),
            diagnostic=_first_diagnostic(details.get("delayedRecipients")),
        )
    if kind == "reject":
        return _with(event, diagnostic=_short(_text(details.get("reason"))))
    if kind == "rendering_failure":
        return _with(event, diagnostic=_short(_text(details.get("errorMessage"))))
    return event


# --- what an event means ------------------------------------------------------------------------------


def fate_after(current: str | None, event_kind: str) -> str | None:
    """The mail's fate after an event of `event_kind`; None: the fate stays (it is already further on)."""
    fate = FATE_OF_KIND[event_kind]
    if _FATE_RANK.get(fate, 0) >= _FATE_RANK.get(current or "", 0):
        return fate
    return None


def stops_all_mail(event: MailEvent) -> bool:
    """A permanent bounce: the address does not exist (any more). Nothing is sent to it until staff lift it."""
    return event.kind == "bounce" and event.bounce_type == PERMANENT_BOUNCE


def stops_automatic_mail(event: MailEvent) -> bool:
    """A complaint: the recipient called our mail spam. Automatic mail stops; what the law or the contract
    needs still goes (shared/rules/limits.py `a_complaint_stops`)."""
    return event.kind == "complaint" and (event.complaint_type or "").lower() not in _NOT_A_COMPLAINT


def event_detail(event: MailEvent) -> str | None:
    """A few words for a mail's history: the bounce type, the complaint type, the delay type."""
    if event.kind == "bounce":
        return "/".join(part for part in (event.bounce_type, event.bounce_subtype) if part) or None
    if event.kind == "complaint":
        return event.complaint_type
    if event.kind == "delivery_delay":
        return event.bounce_subtype
    return None


# --- reading SES's JSON defensively ------------------------------------------------------------------


def _with(event: MailEvent, **changes: Any) -> MailEvent:
    from dataclasses import replace

    return replace(event, **changes)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _short(value: str | None) -> str | None:
    return value[:_DETAIL_KEPT] if value else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _tagged_mail_id(tags: Any) -> str | None:
    values = _object(tags).get(MAIL_ID_TAG)
    if isinstance(values, list) and len(values) == 1 and isinstance(values[0], str):
        return mail_id_from_tag(values[0])
    return None


def _addresses(entries: Any, key: str | None = "emailAddress") -> tuple[str, ...]:
    if not isinstance(entries, list):
        return ()
    found = [entry.get(key) if key and isinstance(entry, dict) else entry for entry in entries]
    return tuple(address for address in found if isinstance(address, str) and address)


def _recipients(kind: str, details: dict[str, Any], mail: dict[str, Any]) -> tuple[str, ...]:
    if kind == "bounce":
        return _addresses(details.get("bouncedRecipients"))
    if kind == "complaint":
        return _addresses(details.get("complainedRecipients"))
    if kind == "delivery_delay":
        return _addresses(details.get("delayedRecipients"))
    if kind == "delivery":
        return _addresses(details.get("recipients"), None)
    return _addresses(mail.get("destination"), None)


def _first_diagnostic(entries: Any) -> str | None:
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and (diagnostic := _text(entry.get("diagnosticCode"))):
                return _short(diagnostic)
    return None
