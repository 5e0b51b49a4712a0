"""The newest reply of a mail: quoted history and signatures stripped, within a bounded cost."""

from __future__ import annotations

import re
from collections.abc import Sequence

from shared.mail.inbound.values import REPLY_LANGUAGES
from shared.rules.mail_subjects import normalize_space

_QUOTED_LINE = re.compile(r"^[ \t]*>.*(?:\r?\n|$)", re.MULTILINE)
_SEPARATOR_LINE = re.compile(
    r"^\W*(?:-{2,}|_{2,}|={2,}).*$"
    r"|^\s*(?:begin forwarded message|anfang der weitergeleiteten nachricht)\s*:?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_WORD = re.compile(r"\w", re.UNICODE)


def _says_something(text: str) -> bool:
    return bool(_WORD.search(_SEPARATOR_LINE.sub("", text)))


def latest_reply(text: str, *, keep_signature: bool = False, languages: Sequence[str] = REPLY_LANGUAGES) -> str:
    """The newest part of a mail body: quoted history removed, and the signature too unless asked.

    Quoted lines ("> …") are dropped first, so bottom-posted replies work; then
    mail-parser-reply cuts at "On … wrote:" / Outlook header blocks and finds the
    signature. If nothing meaningful is left (a bare forward, a mail that is all
    quote) the whole text is returned: better too much than an empty ticket.
    """
    whole = text.strip()
    if not whole:
        return ""
    lines = _QUOTED_LINE.sub("", text.replace("\r\n", "\n")).split("\n")
    reply = _reply_lines(lines, keep_signature=keep_signature, languages=languages)
    return reply if _says_something(reply) else whole


# The library's regular expressions are quadratic in the length of a line, so it only sees
# a bounded, whitespace-collapsed copy of the first lines; its cut is mapped back onto
# the real lines. The newest reply sits at the top, so nothing is lost in practice.
_REPLY_SCAN_LINES = 400
_REPLY_SCAN_LINE_CHARS = 300


def _reply_lines(lines: list[str], *, keep_signature: bool, languages: Sequence[str]) -> str:
    """Run mail-parser-reply on a safe copy of the first lines and cut the real lines where it cut."""
    head = [normalize_space(line)[:_REPLY_SCAN_LINE_CHARS] for line in lines[:_REPLY_SCAN_LINES]]
    start = next((i for i, line in enumerate(head) if line), None)
    if start is None:
        return "\n".join(lines).strip()
    try:
        from mailparser_reply import EmailReplyParser

        message = EmailReplyParser(languages=list(languages)).read("\n".join(head))
        first = message.replies[0] if message.replies else None
        reply = str((first.full_body if keep_signature else first.body) if first else "").strip()
    except Exception:  # a library bug must not lose the mail
        return "\n".join(lines).strip()
    scanned = "\n".join(head[start:]).strip()
    if reply == scanned:  # nothing to cut in the scanned lines: keep the real text, all of it
        return "\n".join(line.rstrip() for line in lines).strip()
    if not reply or not scanned.startswith(reply):
        return reply  # the library rearranged the text (e.g. removed a disclaimer): take its result
    reply_lines = reply.split("\n")
    count = len(reply_lines)
    kept = [line.rstrip() for line in lines[start : start + count]]
    if head[start + count - 1] != reply_lines[-1]:
        kept[-1] = reply_lines[-1]  # the cut fell inside a line
    return "\n".join(kept).strip()


def _unflow(text: str, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed soft line breaks (Thunderbird, Apple Mail)."""
    out: list[str] = []
    buffer = ""
    buffer_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):  # space stuffing
            content = content[1:]
        if buffer and depth != buffer_depth:
            out.append(">" * buffer_depth + (" " if buffer_depth else "") + buffer)
            buffer = ""
        flowed = content.endswith(" ") and content != "-- "
        if flowed:
            buffer += content[:-1] if delsp else content
            buffer_depth = depth
            continue
        buffer += content
        out.append(">" * depth + (" " if depth and buffer else "") + buffer)
        buffer = ""
        buffer_depth = -1
    if buffer:
        out.append(">" * max(buffer_depth, 0) + buffer)
    return "\n".join(out)
