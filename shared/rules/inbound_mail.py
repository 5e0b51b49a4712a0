"""Moved: the MIME parsing is in shared/mail/inbound/, the subject rules in shared/rules/mail_subjects.py.

# bridge: remove when the support and accounts branches import from shared.mail.inbound / shared.rules.mail_subjects
"""

from __future__ import annotations

from shared.mail.inbound.classification import classify
from shared.mail.inbound.html_text import html_to_text
from shared.mail.inbound.parse import parse_inbound_mail
from shared.mail.inbound.replies import latest_reply
from shared.mail.inbound.values import (
    REPLY_LANGUAGES,
    Attachment,
    AutomaticKind,
    FailedDelivery,
    InboundMail,
    OversizedAttachment,
)
from shared.rules.mail_subjects import is_vague_subject, strip_reply_prefixes, ticket_number_from_subject

__all__ = [
    "REPLY_LANGUAGES",
    "Attachment",
    "AutomaticKind",
    "FailedDelivery",
    "InboundMail",
    "OversizedAttachment",
    "classify",
    "html_to_text",
    "is_vague_subject",
    "latest_reply",
    "parse_inbound_mail",
    "strip_reply_prefixes",
    "ticket_number_from_subject",
]
