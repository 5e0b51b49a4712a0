"""Composing a mail: an event's template, recipient, reader's language and context, the value the outbox stores.

The mail is rendered when it is sent (the mail job, `render_composed`), not here: rendering loads Jinja2,
Babel's locale data and the template, ~40 ms of a cold start's first signup or web-form ticket, for a mail
that leaves a few seconds later anyway. So the context must be plain JSON values (callers pass ISO dates,
moments and decimal strings already; the templates format them for the reader): it is checked here, and
made exactly what the job will read back. The outbox writer (shared/storage/outbox.py) stores what is
composed here and renders nothing, so storage imports no mail module. The Message-ID is signed here, for
the recipient: a bounce of it can later be checked to be about a mail we really sent to that address
(shared/rules/bounces.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from shared.rules.signing import our_message_id

if TYPE_CHECKING:
    from shared.mail.render import RenderedMail

# Our mails must never trigger auto-replies or loops (RFC 3834).
AUTOMATIC_HEADERS = {
    "Auto-Submitted": "auto-generated",
    "X-Auto-Response-Suppress": "All",
    "X-Loop": "cocoon",
    "Precedence": "auto_reply",
}


@dataclass(frozen=True)
class ComposedMail:
    """One mail for one event, with its headers, not yet rendered: what the outbox stores as it is.

    `subject` and `body_text` render on first use (for a caller that shows the mail): the very text the
    mail job sends, since both render the same stored values with `render_composed`.
    """

    mail_id: str
    account_id: str | None
    recipient: str
    template: str
    language: str
    context: Mapping[str, Any]
    composed_at: datetime
    headers: Mapping[str, str] = field(default_factory=dict)
    subject_tag: str | None = None  # a ticket's number: its tag ends the subject whatever the template says

    @cached_property
    def rendered(self) -> RenderedMail:
        return render_composed(self.template, self.language, self.context, self.subject_tag)

    @property
    def subject(self) -> str:
        return self.rendered.subject

    @property
    def body_text(self) -> str:
        return self.rendered.body_text


def plain_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """The context as the mail job reads it back: JSON values only (TypeError/ValueError names what is not)."""
    loaded: dict[str, Any] = json.loads(json.dumps(dict(context), allow_nan=False))
    return loaded


def render_composed(
    template: str, language: str, context: Mapping[str, Any], subject_tag: str | None = None
) -> RenderedMail:
    """A stored mail's text: its template in the reader's language (or the fallback), a ticket's tag in the
    subject (added once, unchanged if the template's subject already carries it)."""
    from dataclasses import replace

    from shared.mail.render import render_mail
    from shared.rules.tickets import subject_with_tag

    rendered = render_mail(template, language, dict(context))
    if subject_tag is None:
        return rendered
    return replace(rendered, subject=subject_with_tag(rendered.subject, subject_tag))


def stored_mail_text(mail: Any) -> RenderedMail:
    """An outbox item's subject and body: the text it was sent with, once sent (or as an item stored rendered,
    before mails were rendered at sending, holds it); else rendered now, as the mail job will send it."""
    from shared.mail.render import RenderedMail

    if mail.body_text is not None:
        return RenderedMail(subject=mail.subject or "", body_text=mail.body_text)
    return render_composed(mail.template, mail.language or "", mail.context or {}, mail.subject_tag)


def compose_mail(
    *,
    mail_id: str,
    account_id: str | None,
    recipient: str,
    template: str,
    language: str,
    context: Mapping[str, Any],
    now: datetime,
    extra_headers: dict[str, str] | None = None,
    subject_tag: str | None = None,
) -> ComposedMail:
    """Mail `template` for the event `mail_id` (e.g. "verify-<account>"), to be rendered in `language`.

    The outbox saves it under that id with the condition "does not exist", so a second mail for
    the same event is impossible (shared/storage/outbox.py `outbox_mail`).
    """
    from shared.secrets import link_keyring

    headers = {**AUTOMATIC_HEADERS, "Message-ID": our_message_id(mail_id, link_keyring(), recipient)}
    headers.update(extra_headers or {})
    return ComposedMail(
        mail_id=mail_id,
        account_id=account_id,
        recipient=recipient,
        template=template,
        language=language,
        context=plain_context(context),
        composed_at=now,
        headers=headers,
        subject_tag=subject_tag,
    )
