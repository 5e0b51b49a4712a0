"""Bytes and header words to text: real mail names charsets Python does not know, or lies about them."""

from __future__ import annotations

import codecs
import re
from email import policy as email_policy

# Charset labels seen in the wild that Python does not know, or knows under a stricter
# meaning than mail programs use (WHATWG maps latin-1 and ascii labels to windows-1252).
_CHARSET_ALIASES = {
    "unicode-1-1-utf-7": "utf-7",
    "unicode-1-1-utf-8": "utf-8",
    "x-unknown": "utf-8",
    "unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "x-user-defined": "cp1252",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
    "cp-850": "cp850",
    "utf8": "utf-8",
}


_NOT_CHARSETS = frozenset({"punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined"})


def _codec_for(charset: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when it is unknown."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # Only real character sets: "base64", "rot13" or "punycode" are codecs but not charsets.
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _valid_text(text: str) -> str:
    """Text that is valid Unicode: lone surrogates from undecodable bytes become U+FFFD.

    Stored strings must encode as UTF-8 (DynamoDB, JSON), which lone surrogates do not.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    return text.replace("\x00", "")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode body bytes by their declared charset, guessing sensibly when it lies or is missing.

    Mail programs declare "us-ascii" and send UTF-8, declare nothing at all, or name
    charsets Python has never heard of; the text must be readable all the same.
    """
    codec = _codec_for(charset)
    if codec is not None and codec not in ("ascii", "cp1252"):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    # Undeclared, ASCII or Latin-1 label: UTF-8 is the most likely truth when it decodes.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(codec or "cp1252", "replace")
    except LookupError:
        return data.decode("cp1252", "replace")


def _fix_8bit_header(raw: str) -> str:
    """Turn raw 8-bit header bytes (kept by the parser as surrogates) into characters.

    RFC 5322 forbids them, but PHP contact forms send UTF-8 headers unencoded.
    """
    if not any("\udc80" <= ch <= "\udcff" for ch in raw):
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


_LINE_BREAK = re.compile(r"\r?\n|\r")


def _unfold(raw: str) -> str:
    """Undo header folding (RFC 5322 §2.2.3), as the email package does before parsing a header."""
    return _LINE_BREAK.sub("", raw)


def _decode_unstructured(raw: str) -> str:
    """Decode an unstructured header (RFC 2047 encoded words) into plain text."""
    value = _unfold(_fix_8bit_header(raw))
    try:
        text = str(email_policy.default.header_factory("subject", value))
    except Exception:  # the modern header parser choked: try the old one
        text = _decode_compat32(value)
    return _valid_text(text)


def _decode_compat32(value: str) -> str:
    """Decode encoded words the way the compat32 policy does, never raising."""
    from email.header import decode_header

    try:
        pieces = []
        for chunk, charset in decode_header(value):
            if isinstance(chunk, bytes):
                pieces.append(decode_bytes(chunk, charset))
            else:
                pieces.append(chunk)
        return "".join(pieces)
    except Exception:
        return value
