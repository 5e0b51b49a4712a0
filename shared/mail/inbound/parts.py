"""Walking a mail's MIME parts: the body to show, the attachments to keep, the messages returned to us."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import Message
from email.parser import BytesHeaderParser

from shared.mail.inbound.charsets import _decode_unstructured, _valid_text, decode_bytes
from shared.mail.inbound.classification import _content_type
from shared.mail.inbound.headers import _message_ids
from shared.mail.inbound.html_text import html_to_text
from shared.mail.inbound.replies import _unflow
from shared.mail.inbound.values import _MAX_DEPTH, Attachment, OversizedAttachment
from shared.rules.mail_subjects import normalize_space

_EXTENSIONS = {
    "text/plain": ".txt",
    "text/html": ".html",
    "text/csv": ".csv",
    "text/calendar": ".ics",
    "text/xml": ".xml",
    "text/rfc822-headers": ".txt",
    "message/rfc822": ".eml",
    "message/global": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "message/rfc822-headers": ".txt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/svg+xml": ".svg",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/json": ".json",
    "application/xml": ".xml",
    "application/pgp-signature": ".asc",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-signature": ".p7s",
}
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f]+")


def _clean_filename(name: str) -> str:
    """A file name without path parts or control characters (it ends up in storage keys)."""
    name = _valid_text(name)
    if "=?" in name:
        name = _decode_unstructured(name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = normalize_space(_UNSAFE_FILENAME.sub(" ", name)).strip(". ")
    return name[:255]


def _explicit_filename(part: Message) -> str | None:
    """The filename the sender gave (RFC 2231 and RFC 2047 decoded), or None."""
    try:
        name = part.get_filename()
    except Exception:
        name = None
        try:  # the modern parameter parser choked: let compat32 read the raw headers
            legacy = Message(policy=email_policy.compat32)
            for key, value in part.raw_items():
                if key.lower() in ("content-type", "content-disposition"):
                    legacy[key] = value
            raw_name = legacy.get_filename()
            name = _decode_unstructured(raw_name) if raw_name else None
        except Exception:
            name = None
    if not name:
        return None
    cleaned = _clean_filename(str(name))
    return cleaned or None


def _description(part: Message) -> str:
    raw = next((str(v) for k, v in part.raw_items() if k.lower() == "content-description"), "")
    return _clean_filename(_decode_unstructured(raw)) if raw else ""


def _derived_filename(part: Message, content_type: str) -> str:
    """A name for a part that has none: what its content is, as Zammad and mail programs do."""
    extension = _EXTENSIONS.get(content_type, ".bin")
    if content_type in ("message/rfc822", "message/global"):
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            raw_subject = next((str(v) for k, v in inner.raw_items() if k.lower() == "subject"), "")
            subject = _clean_filename(normalize_space(_decode_unstructured(raw_subject)))
            if subject:
                return subject + extension
    description = _description(part)
    if description:
        return description if description.lower().endswith(extension) else description + extension
    subtype = content_type.split("/", 1)[-1]
    if content_type.startswith("message/") or content_type == "text/rfc822-headers":
        return subtype + extension
    return "attachment" + extension


def _serialize(message: Message) -> bytes:
    """Bytes of an attached message, as close to what was received as the parser allows."""
    from email.generator import BytesGenerator
    from io import BytesIO

    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=email_policy.compat32).flatten(message)
        return buffer.getvalue()
    except Exception:
        try:
            return message.as_string(policy=email_policy.compat32).encode("utf-8", "surrogateescape")
        except Exception:
            return b""


def _part_bytes(part: Message, content_type: str) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list):  # message/rfc822, message/delivery-status
        return b"\n".join(_serialize(m) for m in payload if isinstance(m, Message))
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    return str(payload or "").encode("utf-8", "surrogateescape")


def _part_text(part: Message) -> str:
    """Decoded text of a text/* part, whatever its charset and transfer encoding."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text = decode_bytes(data, charset).replace("\r\n", "\n").replace("\r", "\n")
    try:
        flowed = str(part.get_param("format") or "").lower() == "flowed"
        delsp = str(part.get_param("delsp") or "").lower() == "yes"
    except Exception:
        flowed = delsp = False
    if flowed:
        text = _unflow(text, delsp)
    return _valid_text(text)


@dataclass
class _Collected:
    """What a walk over the MIME tree found."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    oversized: list[OversizedAttachment] = field(default_factory=list)
    status_parts: list[Message] = field(default_factory=list)
    returned_ids: list[str] = field(default_factory=list)
    returned_parts: int = 0
    part_types: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _collect(part: Message, found: _Collected, max_attachment_bytes: int, depth: int = 0) -> None:
    """Sort the parts into body text, attachments and delivery reports.

    Text parts that are not attachments are body candidates (text/plain and text/html
    kept apart, so plain can win). Attached messages are kept whole as .eml files; we
    never look inside them, so a forwarded bounce does not make the customer's mail a
    bounce.
    """
    content_type = _content_type(part)
    found.part_types.append(content_type)
    found.defects.extend(type(d).__name__ for d in getattr(part, "defects", ()))
    payload = part.get_payload()
    if content_type.startswith("multipart/"):
        if isinstance(payload, list):
            if depth >= _MAX_DEPTH:
                found.defects.append("MimeNestingTooDeep")
                return
            for child in payload:
                if isinstance(child, Message):
                    _collect(child, found, max_attachment_bytes, depth + 1)
            return
        content_type = "text/plain"  # a multipart without parts: read it as text
    if content_type == "message/delivery-status":
        found.status_parts.append(part)
    if content_type in ("message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers"):
        found.returned_ids.extend(_returned_ids(part))
        found.returned_parts += 1

    try:
        disposition = part.get_content_disposition()
    except Exception:
        disposition = None
    filename = _explicit_filename(part)
    main_type = content_type.split("/", 1)[0]
    if (
        main_type == "text"
        and content_type in ("text/plain", "text/html")
        and disposition != "attachment"
        and not filename
    ):
        text = _part_text(part)
        (found.plain if content_type == "text/plain" else found.html).append(text)
        return

    data = _part_bytes(part, content_type)
    name = filename or _derived_filename(part, content_type)
    if len(data) > max_attachment_bytes:
        found.oversized.append(OversizedAttachment(name, content_type, len(data)))
        return
    content_id = None
    try:
        raw_id = part.get("content-id")
        if raw_id:
            ids = _message_ids(str(raw_id))
            content_id = ids[0] if ids else str(raw_id).strip().strip("<>") or None
    except Exception:
        content_id = None
    found.attachments.append(
        Attachment(
            filename=name,
            content_type=content_type,
            size=len(data),
            content=data,
            inline=disposition != "attachment" and (disposition == "inline" or content_id is not None),
            content_id=content_id,
        )
    )


def _returned_ids(part: Message) -> list[str]:
    """Message-ID of the original message returned inside a bounce."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        items = list(payload[0].raw_items())
    else:
        try:
            data = part.get_payload(decode=True)
            parsed = BytesHeaderParser(policy=email_policy.compat32).parsebytes(
                data if isinstance(data, bytes) else b""
            )
            items = list(parsed.raw_items())
        except Exception:
            items = []
    for key, value in items:
        if key.lower() == "message-id":
            return _message_ids(str(value))[:1]
    return []


def _body_text(found: _Collected) -> tuple[str, bool]:
    """Prefer the text/plain parts; an HTML-only mail (or an empty text/plain) is converted."""
    plain = "\n\n".join(t.strip("\n") for t in found.plain if t.strip())
    if plain.strip():
        return plain.strip(), False
    html_parts = [html_to_text(markup) for markup in found.html if markup.strip()]
    text = "\n\n".join(t for t in html_parts if t.strip())
    return text.strip(), bool(text.strip())
