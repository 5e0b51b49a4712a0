"""Attachments on the desk's ticket page (issue 15 item 2): short-lived signed download links.

A link names the ticket, the message and the file, and expires after the policy's minutes; its
signature covers all of them, so a link of one ticket never opens another's file, nor after it
expired. Deployed, the file comes from a presigned S3 URL of as many seconds; locally from .local/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.policy import Policy


class InvalidLink(Exception):
    """Forged, for another ticket or file, or for another purpose."""


class LinkExpired(Exception):
    pass


class Gone(Exception):
    """The link is genuine but the file is no longer there (the account was deleted)."""


@dataclass(frozen=True)
class Download:
    filename: str  # safe for a header: ASCII letters, digits, '.', '_', '-'
    body: bytes | None  # served by us (local stage)
    redirect: str | None  # a presigned URL (deployed)


def _subject(number: str, message_id: str, index: int) -> tuple[str, ...]:
    return (number, message_id, str(index))


def safe_filename(name: str) -> str:
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in name)[:120] or "file"


def attachment_path(number: str, message_id: str, index: int, now: datetime, policy: Policy) -> str:
    """The page's link of one file: valid for the policy's minutes from now."""
    from shared.rules.identity import new_id
    from shared.rules.signing import Purpose, link_token
    from shared.secrets import link_keyring

    expires = now + timedelta(minutes=policy.support.attachment_link_minutes)
    token = link_token(link_keyring(), Purpose.ATTACHMENT, _subject(number, message_id, index), new_id("a"), expires)
    return f"/desk/tickets/{number}/attachments/{message_id}/{index}?token={token}"


def open_attachment(number: str, message_id: str, index: int, token: str, now: datetime, policy: Policy) -> Download:
    """The file behind a genuine, unexpired link; the token is checked before anything is read."""
    from shared.rules.signing import Purpose, read_link_token
    from shared.secrets import link_keyring
    from shared.storage.blobs import blob_store
    from shared.storage.tickets import find_ticket, ticket_messages

    claim = read_link_token(link_keyring(), Purpose.ATTACHMENT, _subject(number, message_id, index), token)
    if claim is None:
        raise InvalidLink()
    if claim.expired(now):
        raise LinkExpired()
    ticket = find_ticket(number)
    message = next((m for m in ticket_messages(ticket) if m.message_id == message_id), None) if ticket else None
    files: list[Any] = list(message.attachments or []) if message is not None else []
    if not 0 <= index < len(files) or not files[index].get("key"):
        raise Gone()
    key, filename = str(files[index]["key"]), safe_filename(str(files[index].get("filename") or "file"))
    store: Any = blob_store()
    if hasattr(store, "presigned_url"):
        left = max(1, int((claim.expires_at - now).total_seconds()))  # no longer than the desk link itself
        return Download(filename, None, store.presigned_url(key, left, filename))
    body = store.read(key)
    if body is None:
        raise Gone()
    return Download(filename, body, None)
