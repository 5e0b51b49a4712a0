"""SES's events of our mails, read from their JSON (event publishing: `eventType`; notifications: `notificationType`).

Minimal version for sending once and the local event path; the SES-events work owns this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

KINDS = {
    "Send": "send",
    "Delivery": "delivery",
    "Bounce": "bounce",
    "Complaint": "complaint",
    "Reject": "reject",
    "DeliveryDelay": "delivery_delay",
    "Rendering Failure": "rendering_failure",
    "RenderingFailure": "rendering_failure",
}
# Where each kind keeps its own moment.
_DETAIL = {"delivery": "delivery", "bounce": "bounce", "complaint": "complaint", "delivery_delay": "deliveryDelay"}


@dataclass(frozen=True)
class MailEvent:
    kind: str
    mail_id: str | None  # our mail id, from the message tag `mail_id` (None: not a mail of ours)
    ses_message_id: str
    at: datetime
    recipients: tuple[str, ...] = ()
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    diagnostic: str | None = None
    complaint_type: str | None = None


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def parse_ses_event(message: str) -> MailEvent | None:
    """The event in an SNS message from SES, or None for anything else (malformed, unknown kind)."""
    try:
        data = json.loads(message)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("mail"), dict):
        return None
    kind = KINDS.get(str(data.get("eventType") or data.get("notificationType") or ""))
    mail = data["mail"]
    message_id = mail.get("messageId")
    if kind is None or not isinstance(message_id, str) or not message_id:
        return None
    detail = data.get(_DETAIL.get(kind, ""), {})
    detail = detail if isinstance(detail, dict) else {}
    at = _moment(detail.get("timestamp")) or _moment(mail.get("timestamp"))
    if at is None:
        return None
    tags = mail.get("tags") if isinstance(mail.get("tags"), dict) else {}
    tag = tags.get("mail_id") if tags else None
    mail_id = tag[0] if isinstance(tag, list) and tag and isinstance(tag[0], str) else None
    destination = mail.get("destination")
    recipients = tuple(str(r) for r in destination) if isinstance(destination, list) else ()
    return MailEvent(
        kind=kind,
        mail_id=mail_id,
        ses_message_id=message_id,
        at=at,
        recipients=recipients,
        bounce_type=detail.get("bounceType") if kind == "bounce" else None,
        bounce_subtype=detail.get("bounceSubType") if kind == "bounce" else None,
        complaint_type=detail.get("complaintFeedbackType") if kind == "complaint" else None,
    )
