"""Composing a mail: an event's template, recipient and context become the plain value the outbox stores.

The outbox writer (shared/storage/outbox.py) stores what is composed here and renders nothing, so
storage imports no mail module. The Message-ID is signed here, for the recipient: a bounce of it
can later be checked to be about a mail we really sent to that address (shared/rules/bounces.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.mail.render import render_mail
from shared.rules.mail_headers import header_safe
from shared.rules.signing import our_message_id

# Our mails must never trigger auto-replies or loops (RFC 3834).
AUTOMATIC_HEADERS = {
    "Auto-Submitted": "auto-generated",
    "X-Auto-Response-Suppress": "All",
    "X-Loop": "cocoon",
    "Precedence": "auto_reply",
}


@dataclass(frozen=True)
class ComposedMail:
    """One mail, rendered and with its headers, for one event: what the outbox stores as it is."""

    mail_id: str
    account_id: str | None
    recipient: str
    template: str
    subject: str
    body_text: str
    composed_at: datetime
    headers: Mapping[str, str] = field(default_factory=dict)


def compose_mail(
    *,
    mail_id: str,
    account_id: str | None,
    recipient: str,
    template: str,
    language: str,
    context: dict[str, Any],
    now: datetime,
    extra_headers: dict[str, str] | None = None,
) -> ComposedMail:
    """Mail `template` for the event `mail_id` (e.g. "verify-<account>"), rendered in `language`.

    The outbox saves it under that id with the condition "does not exist", so a second mail for
    the same event is impossible (shared/storage/outbox.py `outbox_mail`).
    """
    from shared.secrets import link_keyring

    rendered = render_mail(template, language, context)
    headers = {**AUTOMATIC_HEADERS, "Message-ID": our_message_id(mail_id, link_keyring(), recipient)}
    headers.update(extra_headers or {})
    return ComposedMail(
        mail_id=mail_id,
        account_id=account_id,
        recipient=recipient,
        template=template,
        subject=header_safe(rendered.subject),
        body_text=rendered.body_text,
        composed_at=now,
        headers=headers,
    )
