"""The SES events of a mail delivered locally (`make run` has no SES): shaped like SES's, recorded like them.

SES publishes, for a mail it took, a Send event and then (normally seconds later) a Delivery event,
each carrying the mail's tags. The `.eml` transport makes the same two and hands them to the same
parser and recorder as the deployed SNS handler, so the outbox item's fate and the sending-once
check behave locally as in AWS. No SNS (and so no SNS signature) is involved: this path is the
local transport's own, chosen by the stage's settings (`mail_via_ses` off), never a message a caller sends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, uuid5

from shared.rules.clock import utc_iso

if TYPE_CHECKING:
    from shared.rules.ses_events import MailEvent

# Records one SES event of a mail (storage's recorder, handed in: mail imports no storage module).
EventRecorder = Callable[["MailEvent", datetime], object]

LOCAL_ACCOUNT_ID = "000000000000"


def local_message_id(mail_id: str) -> str:
    """A MessageId for a locally delivered mail: the same for the same mail, as its .eml is written once."""
    return f"local-{uuid5(NAMESPACE_URL, 'cocoon-mail:' + mail_id)}"


def ses_event_message(event_type: str, mail_id_tag: str, message_id: str, recipient: str, sender: str,
                      at: datetime) -> str:
    """SES event publishing's JSON for `event_type` ("Send" or "Delivery") of one mail."""
    moment = utc_iso(at)
    event: dict[str, Any] = {
        "eventType": event_type,
        "mail": {
            "timestamp": moment,
            "source": sender,
            "sendingAccountId": LOCAL_ACCOUNT_ID,
            "messageId": message_id,
            "destination": [recipient],
            "headersTruncated": False,
            "tags": {"mail_id": [mail_id_tag], "ses:configuration-set": ["cocoon-local"]},
        },
    }
    if event_type == "Send":
        event["send"] = {}
    elif event_type == "Delivery":
        event["delivery"] = {"timestamp": moment, "processingTimeMillis": 0, "recipients": [recipient],
                             "smtpResponse": "250 2.0.0 OK (written to the local outbox)",
                             "reportingMTA": "localhost"}
    return json.dumps(event)


def publish_local_events(
    mail_id: str, recipient: str, message_id: str, sender: str, now: datetime, record_mail_event: EventRecorder
) -> None:
    """Record the Send and Delivery events of a locally delivered mail, through SES's parser and recorder.

    Takes the mail's id and recipient only (plain values), so the transport's types stay the transport's."""
    from shared.rules.ses_events import mail_id_tag_value, parse_ses_event

    tag = mail_id_tag_value(mail_id)
    if tag is None:  # SES could not carry it either: such a mail has no events
        return
    for event_type in ("Send", "Delivery"):
        message = ses_event_message(event_type, tag, message_id, recipient, sender, now)
        event = parse_ses_event(message)
        if event is not None:
            record_mail_event(event, now)
