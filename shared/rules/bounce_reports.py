"""Who a bounce says failed, and what each failure means. Pure: a parsed mail in, values out.

RFC 3464 reports name each failed recipient with a status and the server's diagnostic. Many
mail systems (qmail, Exchange 2003, Lotus Notes, DragonFly, McAfee, Zoho, ...) write only prose;
for those the maintained `flufl.bounce` detectors (Mailman's, Apache-2.0, pure Python) find the
addresses, and when they find none, an address on a line carrying an SMTP reply code, or the one
address the notice names, is taken. What a failure means is then read by one rule
(`shared/rules/bounce_meaning.py`) from the status and the words the report says about THAT
address: its DSN Diagnostic-Code, the notice's opening (which often states the reason once for
all) and the notice's paragraph about the address.

The notice is the report's own text: everything from the returned copy of the original mail on
(a quoted header block, "Original message follows", ...) is not the server's words.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from email.message import Message

from shared.rules.bounce_meaning import BounceMeaning, BounceVerdict, meaning_of

__all__ = ["BouncedRecipient", "DsnFailure", "notice_text", "quoted_message_ids", "read_bounced_recipients"]

# A notice longer than this is mostly a returned mail: the reasons are at its start.
_MAX_NOTICE_CHARS = 20_000
_MAX_EVIDENCE_CHARS = 4_000
# A real report names a handful of recipients; a list of thousands is no report about one mail.
_MAX_RECIPIENTS = 50


@dataclass(frozen=True, slots=True)
class DsnFailure:
    """One `Action: failed` recipient block of a message/delivery-status part."""

    address: str
    status: str
    diagnostic: str


@dataclass(frozen=True, slots=True)
class BouncedRecipient:
    """A recipient a bounce reports as failed, with the meaning of its failure."""

    address: str
    verdict: BounceVerdict

    @property
    def stops_mail(self) -> bool:
        return self.verdict.stops_mail


# Where the returned copy of the original begins: a marker line, or an unindented header line.
_RETURNED_COPY = re.compile(
    r"^[>\s]*(?:-{2,}|={2,}|\*{2,})?\s*(?:this is a copy of|below this line is a copy|below is a copy|"
    r"original message (?:follows|headers)|message headers follow|the header of the original message|"
    r"returned message|headers of the original|undelivered message headers|"
    r"-+ ?(?:original|returned|forwarded) message)"
    r"|^>?\s?(?:received|return-path|message-id|date|from|to|subject|mime-version|content-type|"
    r"dkim-signature|delivered-to|reply-to|x-[\w-]+)\s?:",
    re.IGNORECASE | re.MULTILINE,
)
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_CODE_LINE = re.compile(r"(?<![\w.])(?:[45][0-5]\d(?=[\s:,;-])|[245]\.\d{1,3}\.\d{1,3}(?!\.?\d))")
_MESSAGE_ID_FIELD = re.compile(r"^[>\s]*message-?id\s*:\s*<([^<>\s]{1,250})>", re.IGNORECASE | re.MULTILINE)


def notice_text(body: str) -> str:
    """The report's own words: the body up to the returned copy of the original mail."""
    text = (body or "")[: _MAX_NOTICE_CHARS * 2]
    for match in _RETURNED_COPY.finditer(text):
        if text[: match.start()].strip():  # a header-like line at the very top is the notice's own
            return text[: match.start()][:_MAX_NOTICE_CHARS]
    return text[:_MAX_NOTICE_CHARS]


def quoted_message_ids(body: str) -> list[str]:
    """Message-IDs (without <>) of `Message-ID:` fields in a report's text: a quoted original's headers."""
    return list(dict.fromkeys(match.group(1) for match in _MESSAGE_ID_FIELD.finditer(body or "")))


def _addresses_in(text: str) -> list[str]:
    return list(dict.fromkeys(match.group(0).strip(".").lower() for match in _ADDRESS.finditer(text)))


def _library_failures(message: Message) -> tuple[list[str], list[str]]:
    """(temporary, permanent) failed addresses that flufl.bounce's detectors find; nothing if it fails."""
    from flufl.bounce import all_failures

    try:
        temporary, permanent = all_failures(message)
    except Exception:  # a detector choked on broken input: it found nobody
        return [], []

    def decoded(found: Iterable[bytes | str]) -> list[str]:
        out = []
        for value in found:
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            text = text.strip().strip("<>").lower()
            if "@" in text:
                out.append(text)
        return sorted(set(out))

    return decoded(temporary), decoded(permanent)


def _named_in_notice(notice: str, own: Collection[str]) -> list[str]:
    """Failed recipients of prose nobody's detector knows: on a line with an SMTP code, else the only one named."""
    on_code_lines = [
        address
        for line in notice.splitlines()
        if _CODE_LINE.search(line)
        for address in _addresses_in(line)
        if address not in own
    ]
    if on_code_lines:
        return list(dict.fromkeys(on_code_lines))
    named = [address for address in _addresses_in(notice) if address not in own]
    return named if len(named) == 1 else []


def _evidence(notice: str, address: str, failed: Sequence[str]) -> str:
    """What the notice says about one address: its opening, and from each mention to the next other address.

    The opening (up to the first failed address it names, the whole notice when it names none)
    often states the reason once for all recipients, so it counts for each.
    """
    lowered = notice.lower()
    mentions = sorted(
        (position, other)
        for other in failed
        for position in (m.start() for m in re.finditer(re.escape(other), lowered))
    )
    opening = notice[: mentions[0][0]] if mentions else notice
    if not any(other == address for _, other in mentions):
        return opening[:_MAX_EVIDENCE_CHARS]
    pieces = [opening]
    for index, (position, other) in enumerate(mentions):
        if other != address:
            continue
        end = next((p for p, o in mentions[index + 1:] if o != address), len(notice))
        pieces.append(notice[position:end])
    return "\n".join(pieces)[:_MAX_EVIDENCE_CHARS]


def read_bounced_recipients(
    message: Message, *, dsn_failures: Sequence[DsnFailure], notice: str, own_addresses: Collection[str]
) -> tuple[BouncedRecipient, ...]:
    """Every recipient the bounce reports as failed, each with what its failure means.

    `own_addresses` are the bounce's own From and To (the reporting daemon, and us: the
    original's sender): never taken from prose as a failed recipient.
    """
    own = {a.lower() for a in own_addresses if a}
    temporary: list[str] = []
    if dsn_failures:
        candidates = [(f.address, f.status, f.diagnostic) for f in dsn_failures]
    else:
        temporary, permanent = _library_failures(message)
        found = permanent or _named_in_notice(notice, own)
        candidates = [(address, "", "") for address in found]
        candidates += [(address, "4.0.0", "") for address in temporary]
    candidates = candidates[:_MAX_RECIPIENTS]
    failed = list(dict.fromkeys(address for address, _, _ in candidates))
    recipients: dict[tuple[str, str], BouncedRecipient] = {}
    for address, status, diagnostic in candidates:
        words = "\n".join(part for part in (diagnostic, _evidence(notice, address, failed)) if part)
        verdict = meaning_of(status, words)
        if address in temporary and verdict.meaning is not BounceMeaning.TEMPORARY:
            verdict = BounceVerdict(BounceMeaning.TEMPORARY, verdict.code, verdict.wording)
        recipients.setdefault((address, verdict.meaning), BouncedRecipient(address, verdict))
    return tuple(recipients.values())
