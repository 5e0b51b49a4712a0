"""Reading a mail's headers: raw values, Message-IDs and the sender (never CC: it is not ours to read)."""

from __future__ import annotations

import re
from email import policy as email_policy
from email.message import Message

from shared.mail.inbound.charsets import _decode_unstructured, _fix_8bit_header, _unfold, _valid_text
from shared.rules.mail_subjects import normalize_space


def _raw_headers(message: Message) -> dict[str, list[str]]:
    """Header values exactly as received, by lower-case name.

    Reading the raw value and decoding it ourselves means a header the modern policy
    cannot parse is still readable (via compat32 or as-is).
    """
    headers: dict[str, list[str]] = {}
    try:
        for name, value in message.raw_items():
            headers.setdefault(str(name).strip().lower(), []).append(str(value))
    except Exception:
        return headers  # keep the headers read before the broken one
    return headers


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return values[0] if values else ""


_MSGID = re.compile(r"<\s*([^<>\s]+?)\s*>")


def _message_ids(raw: str) -> list[str]:
    """Message ids of an In-Reply-To/References/Message-ID header, without <>."""
    value = _valid_text(_fix_8bit_header(raw))
    if "=?" in value:
        # Some senders (Python's email package among them) RFC 2047-encode a long id list.
        value = _decode_unstructured(_unfold(value))
    ids = _MSGID.findall(value)
    if not ids:
        ids = [token.strip("<>,;") for token in value.split() if "@" in token]
    return [i for i in ids if i]


def _parse_sender(raw: str) -> tuple[str | None, str]:
    """The (lower-case address, display name) of a From header, however it is written."""
    from email.utils import parseaddr

    value = _unfold(_fix_8bit_header(raw))
    address: str | None = None
    name = ""
    try:
        header = email_policy.default.header_factory("from", value)
        addresses = getattr(header, "addresses", ())
        if addresses:
            first = addresses[0]
            address = first.addr_spec or None
            name = first.display_name or ""
    except Exception:
        address = None
    if not address or not name:
        try:
            fallback_name, fallback_address = parseaddr(value)
        except Exception:
            fallback_name, fallback_address = "", ""
        address = address or fallback_address or None
        if not name and fallback_name:
            name = _decode_unstructured(fallback_name)
    if "=?" in name:
        name = _decode_unstructured(name)
    if address:
        address = _valid_text(address).strip().strip("<>").lower() or None
        if address == "<>":
            address = None
    return address, normalize_space(_valid_text(name)).strip("\"' ")
