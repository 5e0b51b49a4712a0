"""Inbound support mail: parse a raw message into a value the support desk can store.

Everything here is pure: bytes in, a frozen value out, no AWS, no database and no
clock. The I/O around it (S3 for the raw mail, tickets in DynamoDB) lives elsewhere.

Why it is written the way it is:

* Real-world mail is broken in every way imaginable (unknown charsets, raw 8-bit
  headers, missing boundaries, mbox ``From `` lines). A mail we cannot parse is a
  customer we cannot help, so :func:`parse_inbound_mail` never raises; every step
  falls back to something readable and records what went wrong in ``defects``.
* The spec (§6 "Mail hygiene") says automatic mail never creates a ticket and never
  gets an answer, otherwise two robots mail each other forever. :func:`classify`
  says *why* a mail is automatic, so the caller can log the reason without logging
  the mail.
* Privacy (§6, §8): CC recipients are neither stored nor written to, so CC is never
  read into the result at all.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser
from enum import StrEnum

from shared.rules.bounce_reports import BouncedRecipient, DsnFailure

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

# Languages whose "On … wrote:" headers and sign-offs the reply parser knows. These are
# the policy languages (shared/policy.toml) that mail-parser-reply supports; English is
# always included by the library.
REPLY_LANGUAGES: tuple[str, ...] = ("en", "de", "cs", "es", "fr", "it", "nl", "pl")

# Deeper MIME nesting than this is an attack or a loop, not a customer's mail.
_MAX_DEPTH = 40
# A References header can list a whole thread; the newest ids are the ones that matter.
_MAX_REFERENCES = 100


class AutomaticKind(StrEnum):
    """Why a mail was written by a machine: such mail creates no ticket and gets no reply."""

    BOUNCE = "bounce"  # delivery status notification / non-delivery report
    READ_RECEIPT = "read_receipt"  # message disposition notification (MDN)
    AUTO_REPLY = "auto_reply"  # vacation / out-of-office / autoresponder
    AUTO_GENERATED = "auto_generated"  # notifications from systems (RFC 3834 auto-generated …)
    MAILING_LIST = "mailing_list"  # List-Id / List-Unsubscribe / Precedence: list
    BULK = "bulk"  # Precedence: bulk or junk
    LOOP = "loop"  # X-Loop: already went through an automatic system


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the customer sent (inline images included), with its decoded bytes."""

    filename: str
    content_type: str
    size: int
    content: bytes = field(repr=False)
    inline: bool = False
    # Content-ID without <>, so an HTML body's cid: reference can be resolved.
    content_id: str | None = None


@dataclass(frozen=True, slots=True)
class OversizedAttachment:
    """An attachment over the size limit: named so the agent can ask for it another way."""

    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    """One recipient a delivery status report says failed (Action: failed), with its status code."""

    address: str
    status: str


@dataclass(frozen=True, slots=True)
class InboundMail:
    """One inbound mail, parsed and classified. CC recipients are deliberately absent."""

    message_id: str | None
    sender_address: str | None
    sender_name: str
    subject: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    body_text: str
    reply_text: str
    attachments: tuple[Attachment, ...]
    oversized_attachments: tuple[OversizedAttachment, ...]
    automatic: AutomaticKind | None
    automatic_reason: str | None
    hard_bounced_recipients: tuple[str, ...]
    # Message-IDs of our mail that a bounce returns: lets the caller check the bounce
    # is about a mail we really sent before it stops mailing an address.
    returned_message_ids: tuple[str, ...]
    body_from_html: bool
    ticket_number: str | None
    vague_subject: bool
    # Names of the parser's complaints (no content): for logs and for spotting bad input.
    defects: tuple[str, ...] = ()
    # A bounce's failed recipients with their DSN status, so a rule can tell an address failure
    # (5.1.1 user unknown) from a full mailbox or a policy refusal before it stops any mail.
    failed_deliveries: tuple[FailedDelivery, ...] = ()
    # How many returned messages (or returned headers) a bounce carries: a report about one
    # mail of ours carries exactly one, so more is a report nobody may use to test guesses.
    returned_message_count: int = 0
    # How many MIME parts the mail has (multiparts included): the caller refuses more than the policy allows.
    part_count: int = 0
    # Every recipient a bounce reports as failed (RFC 3464 or not), each with what its failure
    # means (shared/rules/bounce_meaning.py): only an address failure may stop mail to it.
    bounced_recipients: tuple[BouncedRecipient, ...] = ()

    @property
    def is_automatic(self) -> bool:
        """True when the mail must create no ticket and get no reply."""
        return self.automatic is not None


# --------------------------------------------------------------------------------------
# Subjects
# --------------------------------------------------------------------------------------

# No two adjacent optional whitespace runs: keeps the match linear on hostile subjects.
_TICKET_TAG = re.compile(r"\[\s*ticket\s*(?:[#:]\s*)?(?:#\s*)?([0-9]{1,30})\s*\]", re.IGNORECASE)

# Reply and forward prefixes of the mail programs our customers use (policy languages
# plus the usual suspects). "R:"/"I:" are Italian Outlook, "YNT"/"İLT" Turkish,
# "Odp"/"PD" Polish/Czech, "Vá"/"Továbbítás" Hungarian, "RES"/"ENC" Portuguese.
_REPLY_WORDS = (
    r"re|aw|antw|antwort|sv|vs|odp|odpověď|ynt|cevap|rif|r|res|resp|rv|vá|răspuns|ref|réf|"
    r"回复|答复|回覆|返信"
)
_FORWARD_WORDS = r"fwd?|wg|tr|pd|enc|i|rv|doorst|továbbítás|fs|vb|ilt|İlt|redirecționat|转发|轉寄|転送"
_COUNTER = r"(?:\s*(?:\[\d+\]|\(\d+\)|\^\d+))?"  # "Re[2]:", "Re (3):", "RE^2:"
_PREFIXES = re.compile(rf"^(?:\s*(?:{_REPLY_WORDS}|{_FORWARD_WORDS}){_COUNTER}\s*[:：])+", re.IGNORECASE)
_FORWARD_PREFIX = re.compile(rf"^\s*(?:{_FORWARD_WORDS}){_COUNTER}\s*[:：]", re.IGNORECASE)


def strip_reply_prefixes(subject: str) -> str:
    """Remove leading reply/forward prefixes ("Re:", "AW: WG:", "Fwd[2]:", …).

    Agents and the vagueness check care about what the customer wrote, not how many
    times the mail went back and forth.
    """
    return _PREFIXES.sub("", _normalize_space(subject or ""), count=1).strip()


def ticket_number_from_subject(subject: str) -> str | None:
    """The number in our ``[Ticket#…]`` tag, tolerating the spacing and case mail programs make of it."""
    match = _TICKET_TAG.search(_normalize_space(subject or ""))
    return match.group(1) if match else None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that alone say nothing about the problem, in the policy languages.
_VAGUE_WORDS = _words(
    """
    error errors fehler fehlermeldung problem problems probleme issue issues bug bugs help hilfe
    question questions frage fragen urgent dringend wichtig important asap support request anfrage
    störung stoerung ticket info information test hallo hello hi hey no subject kein betreff
    chyba problém pomoc dotaz otázka naléhavé urgentní
    problema ayuda pregunta urgente consulta
    erreur problème aide urgence
    hiba probléma segítség kérdés sürgős
    errore aiuto domanda
    fout probleem hulp vraag
    błąd pytanie pilne
    erro dúvida duvida pergunta ajuda
    eroare problemă ajutor întrebare
    hata sorun yardım soru acil
    """
)
# Filler that does not add meaning to a vague word ("we have a problem", "bitte Hilfe").
_FILLER_WORDS = _words(
    """
    a an the i we my our you me us is are have has need needed please pls plz with some small big
    new again still very any there here can could
    ich wir mein meine unser unsere haben habe ein eine einen bitte mit noch ganz kleines kleine
    großes großer dringend es gibt brauche brauchen
    je nous un une le la les avec besoin svp sil vous plait
    tengo tenemos un una el la con por favor necesito
    un una il lo la con ho abbiamo
    een de het met ik wij we hebben heb
    mam mamy z
    tenho temos um uma com por favor
    am avem un o cu vă rog
    var bir lütfen
    mám máme s prosím
    van egy kérem
    """
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def is_vague_subject(subject: str) -> bool:
    """True when the subject says nothing about the problem ("Fehler", "Help!", "Re:", empty).

    Such mail is accepted but flagged, and the acknowledgement asks for a subject that
    describes the problem (spec §6). A word that is neither vague nor filler makes the
    subject specific enough ("Problem with invoice" is fine, "We have a problem" is not).
    """
    text = _TICKET_TAG.sub(" ", _normalize_space(subject or ""))
    text = strip_reply_prefixes(text)
    words = _NON_WORD.sub(" ", text).casefold().split()
    meaningful = [w for w in words if w not in _VAGUE_WORDS and w not in _FILLER_WORDS]
    return not meaningful


# --------------------------------------------------------------------------------------
# Text decoding helpers
# --------------------------------------------------------------------------------------

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


def _normalize_space(text: str) -> str:
    return " ".join(text.split())


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


# --------------------------------------------------------------------------------------
# HTML to text
# --------------------------------------------------------------------------------------

_BLOCK_TAGS = _words(
    "address article aside center dd div dl dt fieldset figcaption figure footer form header hr "
    "main nav section table thead tbody tfoot tr ul ol caption"
)
_PARAGRAPH_TAGS = _words("p h1 h2 h3 h4 h5 h6 pre")
# Elements whose content is never shown: skipped up to their end tag.
_HEAD_TAGS = _words("title meta link style script base noscript template")
_RAW_TEXT_TAGS = _words("script style title noscript template xml textarea")
# One token at a time, each pattern stops at the next "<" or ">": linear on any input
# (the stdlib HTMLParser of Python 3.11 is quadratic on unterminated "<![" and "<!").
_HTML_TOKEN = re.compile(
    r"(?P<comment><!--)"
    r"|<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9:-]*)(?P<rest>[^<>]*)>"
    r"|(?P<other><[!?][^<>]*>)"
    r"|(?P<text>[^<]+|<)"
)
_RAW_TEXT_END: dict[str, re.Pattern[str]] = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in _RAW_TEXT_TAGS}


# No support request needs more HTML than this; it bounds the time a hostile body can cost.
_MAX_HTML_CHARS = 2_000_000


class _HtmlText:
    """Collects the visible text of an HTML body, keeping line structure and quotes."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.line_depth = 0
        self.in_head = False
        self.pre_depth = 0

    def _break(self) -> None:
        text = "".join(self.current).strip(" ")
        self.lines.append("> " * self.line_depth + text if text else "")
        self.current = []
        self.line_depth = self.quote_depth

    def _blank_line(self) -> None:
        if self.current:
            self._break()
        if self.lines and self.lines[-1].strip("> "):
            self.lines.append("")

    def start_tag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = True
            return
        if tag not in _HEAD_TAGS:
            self.in_head = False  # body content without <body> (or without </head>)
        if tag == "br":
            self._break()
        elif tag in _PARAGRAPH_TAGS:
            self._blank_line()
            if tag == "pre":
                self.pre_depth += 1
        elif tag == "blockquote":
            self._blank_line()
            self.quote_depth += 1
            self.line_depth = self.quote_depth
        elif tag == "li":
            if self.current:
                self._break()
            self.current.append("- ")
        elif tag in _BLOCK_TAGS:
            if self.current:
                self._break()
        elif tag in ("td", "th") and self.current:
            self.current.append(" ")

    def end_tag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        elif tag in _PARAGRAPH_TAGS:
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            self._blank_line()
        elif tag == "blockquote":
            self._blank_line()
            self.quote_depth = max(0, self.quote_depth - 1)
            self.line_depth = self.quote_depth
        elif (tag in _BLOCK_TAGS or tag == "li") and self.current:
            self._break()

    def data(self, data: str) -> None:
        if self.in_head:
            if not data.strip():
                return
            self.in_head = False  # text cannot stand in <head>: browsers start the body here
        if self.pre_depth:
            parts = data.replace("\xa0", " ").replace("\r\n", "\n").split("\n")
            for index, part in enumerate(parts):
                if index:
                    self._break()
                self.current.append(part)
            return
        text = " ".join(data.replace("\xa0", " ").split())
        if not text:
            if self.current and not self.current[-1].endswith(" "):
                self.current.append(" ")
            return
        if data[:1].isspace() and self.current and not self.current[-1].endswith(" "):
            text = " " + text
        if data[-1:].isspace():
            text += " "
        self.current.append(text)

    def feed(self, markup: str) -> None:
        from html import unescape

        position = 0
        end = len(markup)
        while position < end:
            match = _HTML_TOKEN.match(markup, position)
            if match is None:  # cannot happen: "<" alone always matches
                break
            position = match.end()
            if match.group("comment"):
                close = markup.find("-->", position)
                position = end if close < 0 else close + 3
            elif match.group("tag"):
                tag = match.group("tag").lower()
                if match.group("close"):
                    self.end_tag(tag)
                    continue
                self.start_tag(tag)
                if tag in _RAW_TEXT_TAGS and not match.group("rest").rstrip().endswith("/"):
                    raw_end = _RAW_TEXT_END[tag].search(markup, position)
                    position = end if raw_end is None else raw_end.end()
                elif match.group("rest").rstrip().endswith("/") and tag not in ("br",):
                    self.end_tag(tag)
            elif match.group("text"):
                self.data(unescape(match.group("text")))

    def text(self) -> str:
        if self.current:
            self._break()
        out: list[str] = []
        for line in self.lines:
            line = line.rstrip()
            if not line.strip("> ") and out and not out[-1].strip("> "):
                continue  # collapse runs of blank lines
            out.append(line)
        return "\n".join(out).strip("\n")


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML mail body: paragraphs, line breaks, lists and quotes kept.

    A small linear tokenizer is enough for mail bodies, keeps the Lambda package small and
    cannot be made slow by hostile markup; blockquotes become "> " lines so quoted
    history can be stripped like in plain-text mail.
    """
    converter = _HtmlText()
    converter.feed(markup[:_MAX_HTML_CHARS])
    return converter.text()


# --------------------------------------------------------------------------------------
# Quoted history and signatures
# --------------------------------------------------------------------------------------

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
    head = [_normalize_space(line)[:_REPLY_SCAN_LINE_CHARS] for line in lines[:_REPLY_SCAN_LINES]]
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


# --------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------


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
    return address, _normalize_space(_valid_text(name)).strip("\"' ")


# --------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------

_DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster"})
_DAEMON_NAMES = frozenset({"mailer-daemon", "mail delivery system", "mail delivery subsystem", "mail delivery service"})
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:delivery status notification|undeliverable\b|undelivered mail|undeliverable mail|"
    r"mail delivery failed|mail delivery failure|returned mail\s*:|delivery failure|failure notice|"
    r"delivery has failed|message not delivered|non-?delivery|unzustellbar|nicht zustellbar|"
    r"zustellung fehlgeschlagen|non remis|non distribuable|non recapitabile|no se puede entregar|"
    r"onbestelbaar|niedostarczalne|nedoručitelné)",
    re.IGNORECASE,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto[- ]?reply|auto[- ]?response|autorespons|out of (?:the )?office|"
    r"automatische antwort|abwesenheitsnotiz|abwesenheit\s*:|réponse automatique|reponse automatique|"
    r"risposta automatica|respuesta automática|respuesta automatica|automatisch antwoord|"
    r"odpowiedź automatyczna|automatická odpověď|resposta automática|automatikus válasz|"
    r"răspuns automat|otomatik yanıt|vacation\s*:)",
    re.IGNORECASE,
)


def _token(value: str) -> str:
    """The first token of a header value, lower-case ("auto-replied; owner=…" → "auto-replied")."""
    return value.split(";", 1)[0].strip().strip("\"'").lower()


def _classify(
    headers: dict[str, list[str]],
    *,
    content_type: str,
    report_type: str,
    part_types: Iterable[str],
    sender_address: str | None,
    sender_name: str,
    subject: str,
) -> tuple[AutomaticKind | None, str | None]:
    """Decide whether a mail is automatic, and say which rule fired (no personal data)."""
    kinds = set(part_types)
    if content_type == "multipart/report":
        if report_type == "disposition-notification" or (
            not report_type and "message/disposition-notification" in kinds
        ):
            return AutomaticKind.READ_RECEIPT, "multipart/report disposition-notification"
        if report_type in ("delivery-status", "") or "message/delivery-status" in kinds:
            return AutomaticKind.BOUNCE, "multipart/report delivery-status"
        return AutomaticKind.AUTO_GENERATED, f"multipart/report {report_type}"[:80]
    if "message/delivery-status" in kinds:
        return AutomaticKind.BOUNCE, "delivery-status part"
    if "message/disposition-notification" in kinds:
        return AutomaticKind.READ_RECEIPT, "disposition-notification part"
    local_part = (sender_address or "").split("@", 1)[0]
    if local_part in _DAEMON_LOCAL_PARTS or sender_name.lower() in _DAEMON_NAMES:
        return AutomaticKind.BOUNCE, "mailer-daemon or postmaster sender"
    if headers.get("x-failed-recipients"):
        return AutomaticKind.BOUNCE, "header X-Failed-Recipients"
    if _BOUNCE_SUBJECT.match(subject):
        return AutomaticKind.BOUNCE, "bounce subject"

    auto_submitted = _token(_first(headers, "auto-submitted"))
    if auto_submitted and auto_submitted != "no":
        if auto_submitted == "auto-replied":
            return AutomaticKind.AUTO_REPLY, "header Auto-Submitted: auto-replied"
        return AutomaticKind.AUTO_GENERATED, "header Auto-Submitted"
    if "vacation" in _token(_first(headers, "x-apple-action")):
        return AutomaticKind.AUTO_REPLY, "header X-Apple-Action: VACATION"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponder", "x-mail-autoreply"):
        if headers.get(name):
            return AutomaticKind.AUTO_REPLY, f"header {name}"
    if _AUTO_REPLY_SUBJECT.match(subject):
        return AutomaticKind.AUTO_REPLY, "auto-reply subject"
    precedence = _token(_first(headers, "precedence") or _first(headers, "x-precedence"))
    if precedence in ("auto_reply", "auto-reply"):
        return AutomaticKind.AUTO_REPLY, "header Precedence: auto_reply"
    if headers.get("x-loop"):
        return AutomaticKind.LOOP, "header X-Loop"
    if headers.get("list-id") or headers.get("list-unsubscribe"):
        return AutomaticKind.MAILING_LIST, "header List-Id or List-Unsubscribe"
    if precedence == "list":
        return AutomaticKind.MAILING_LIST, "header Precedence: list"
    if precedence in ("bulk", "junk"):
        return AutomaticKind.BULK, f"header Precedence: {precedence}"
    if _first(headers, "x-auto-response-suppress").strip():
        return AutomaticKind.AUTO_GENERATED, "header X-Auto-Response-Suppress"
    if _first(headers, "x-autogenerated").strip() or _first(headers, "x-auto-generated").strip():
        return AutomaticKind.AUTO_GENERATED, "header X-Autogenerated"
    return_path = [v.strip() for v in headers.get("return-path", [])]
    if return_path and all(v in ("<>", "< >", "") for v in return_path):
        return AutomaticKind.AUTO_GENERATED, "null Return-Path"
    return None, None


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"


def _walk_outer(message: Message) -> Iterator[Message]:
    """All parts of the mail itself, not descending into attached messages."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        yield part
        if depth >= _MAX_DEPTH or not _content_type(part).startswith("multipart/"):
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in reversed(payload) if isinstance(child, Message))


def classify(message: Message) -> AutomaticKind | None:
    """Why this parsed message is automatic (no ticket, no reply), or None for a person's mail."""
    headers = _raw_headers(message)
    address, name = _parse_sender(_first(headers, "from"))
    kind, _reason = _classify(
        headers,
        content_type=_content_type(message),
        report_type=_report_type(message),
        part_types=(_content_type(p) for p in _walk_outer(message)),
        sender_address=address,
        sender_name=name,
        subject=_normalize_space(_decode_unstructured(_first(headers, "subject"))),
    )
    return kind


def _report_type(message: Message) -> str:
    try:
        value = message.get_param("report-type")
    except Exception:
        return ""
    if isinstance(value, tuple):
        value = value[2]
    return str(value or "").strip().lower()


# --------------------------------------------------------------------------------------
# Delivery status notifications
# --------------------------------------------------------------------------------------


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The header blocks of a message/delivery-status part (per-message, then per-recipient)."""
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): _fix_8bit_header(str(v)) for k, v in block.raw_items()})
        return blocks
    data = part.get_payload(decode=True)
    text = decode_bytes(data if isinstance(data, bytes) else b"", None)
    for chunk in re.split(r"\r?\n\s*\r?\n", text):
        fields: dict[str, str] = {}
        for line in chunk.splitlines():
            if ":" in line and not line[:1].isspace():
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def _recipient(value: str) -> str | None:
    """The address of a "rfc822; someone@example.com" DSN field."""
    address = value.split(";", 1)[1] if ";" in value else value
    address = _normalize_space(address).strip().strip("<>").lower()
    return address if "@" in address else None


def _failed_deliveries(status_parts: Sequence[Message]) -> list[FailedDelivery]:
    """Each failed recipient of the reports (Final- and Original-Recipient) with the status given for it."""
    found: list[FailedDelivery] = []
    for part in status_parts:
        try:
            blocks = _status_blocks(part)
        except Exception:  # an unreadable report names nobody
            blocks = []
        for fields in blocks:
            if _token(fields.get("action", "")) != "failed":
                continue
            status = _normalize_space(fields.get("status", "")).strip()
            for key in ("final-recipient", "original-recipient"):
                address = _recipient(fields.get(key, ""))
                if address and FailedDelivery(address, status) not in found:
                    found.append(FailedDelivery(address, status))
    return found


def _dsn_failures(status_parts: Sequence[Message]) -> list[DsnFailure]:
    """Each failed recipient of the reports with its status and the receiving server's Diagnostic-Code."""
    found: list[DsnFailure] = []
    for part in status_parts:
        try:
            blocks = _status_blocks(part)
        except Exception:  # an unreadable report names nobody
            blocks = []
        for fields in blocks:
            if _token(fields.get("action", "")) != "failed":
                continue
            status = _normalize_space(fields.get("status", "")).strip()
            diagnostic = _normalize_space(fields.get("diagnostic-code", ""))
            for key in ("final-recipient", "original-recipient"):
                address = _recipient(fields.get(key, ""))
                if address and all(f.address != address for f in found):
                    found.append(DsnFailure(address, status, diagnostic))
    return found


def _read_bounce(
    message: Message, found: _Collected, headers: dict[str, list[str]], sender_address: str | None
) -> tuple[tuple[BouncedRecipient, ...], list[str]]:
    """A bounce's failed recipients with their meaning, and the Message-IDs its text quotes."""
    from email.utils import getaddresses

    from shared.rules.bounce_reports import notice_text, quoted_message_ids, read_bounced_recipients

    body = "\n\n".join(found.plain) or "\n\n".join(html_to_text(markup) for markup in found.html)
    own = {sender_address or ""}
    try:
        own.update(address.lower() for _, address in getaddresses([_fix_8bit_header(v) for v in headers.get("to", [])]))
    except Exception:  # an unreadable To names nobody we must leave out
        own = {sender_address or ""}
    recipients = read_bounced_recipients(
        message, dsn_failures=_dsn_failures(found.status_parts), notice=notice_text(body), own_addresses=own
    )
    return recipients, quoted_message_ids(body)


def _hard_bounces(status_parts: Sequence[Message], failed_header: Sequence[str]) -> list[str]:
    """Recipients whose delivery failed permanently (Action: failed, Status 5.x.x)."""
    found: list[str] = []
    for part in status_parts:
        try:
            blocks = _status_blocks(part)
        except Exception:  # an unreadable report names nobody
            blocks = []
        for fields in blocks:
            action = _token(fields.get("action", ""))
            status = fields.get("status", "").strip()
            if action != "failed" or not status.startswith("5"):
                continue
            for key in ("final-recipient", "original-recipient"):
                address = _recipient(fields.get(key, ""))
                if address and address not in found:
                    found.append(address)
    # Exim and Gmail name permanently failed recipients in a header.
    for value in failed_header:
        for token in re.split(r"[,\s]+", _fix_8bit_header(value)):
            address = token.strip().strip("<>").lower()
            if "@" in address and address not in found:
                found.append(address)
    return found


# --------------------------------------------------------------------------------------
# Body and attachments
# --------------------------------------------------------------------------------------

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
    name = _normalize_space(_UNSAFE_FILENAME.sub(" ", name)).strip(". ")
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
            subject = _clean_filename(_normalize_space(_decode_unstructured(raw_subject)))
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


# --------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------


def _parse_message(raw: bytes) -> tuple[Message, list[str]]:
    """Parse bytes with the modern policy; if even that fails, read the headers and keep the rest as text."""
    try:
        return BytesParser(policy=email_policy.default).parsebytes(raw), []
    except Exception as exc:  # RecursionError on absurd nesting, or a parser bug
        message = BytesHeaderParser(policy=email_policy.default).parsebytes(raw)
        message.set_payload(
            message.get_payload() if isinstance(message.get_payload(), str) else "",
        )
        del message["content-type"]  # no header raises when missing
        del message["content-transfer-encoding"]
        return message, [type(exc).__name__]


def parse_inbound_mail(
    raw: bytes,
    *,
    max_attachment_bytes: int,
    reply_languages: Sequence[str] = REPLY_LANGUAGES,
) -> InboundMail:
    """Parse and classify one raw inbound mail. Never raises: broken input gives a best-effort value.

    ``max_attachment_bytes`` comes from policy (support.max_attachment_bytes); larger
    parts are listed in ``oversized_attachments`` without their bytes.
    """
    data = bytes(raw)
    try:
        message, defects = _parse_message(data)
    except Exception as exc:
        message = Message(policy=email_policy.default)
        message.set_payload(data.decode("utf-8", "replace"))
        defects = [type(exc).__name__]

    headers = _raw_headers(message)
    subject = _normalize_space(_decode_unstructured(_first(headers, "subject")))
    sender_address, sender_name = _parse_sender(_first(headers, "from"))
    message_ids = _message_ids(_first(headers, "message-id"))
    in_reply_to = tuple(i for v in headers.get("in-reply-to", []) for i in _message_ids(v))
    references = tuple(i for v in headers.get("references", []) for i in _message_ids(v))
    references = references[-_MAX_REFERENCES:]

    found = _Collected()
    try:
        _collect(message, found, max_attachment_bytes)
    except Exception as exc:  # keep whatever was collected before the failure
        found.defects.append(type(exc).__name__)
    defects.extend(found.defects)

    try:
        body_text, from_html = _body_text(found)
    except Exception as exc:
        body_text, from_html = "", False
        defects.append(type(exc).__name__)

    try:
        kind, reason = _classify(
            headers,
            content_type=_content_type(message),
            report_type=_report_type(message),
            part_types=found.part_types,
            sender_address=sender_address,
            sender_name=sender_name,
            subject=subject,
        )
    except Exception as exc:
        kind, reason = None, None
        defects.append(type(exc).__name__)

    hard_bounces: list[str] = []
    returned_ids: list[str] = []
    failed: list[FailedDelivery] = []
    bounced: tuple[BouncedRecipient, ...] = ()
    returned_count = 0
    if kind is AutomaticKind.BOUNCE:
        hard_bounces = _hard_bounces(found.status_parts, headers.get("x-failed-recipients", []))
        returned_ids = list(dict.fromkeys(found.returned_ids))
        returned_count = found.returned_parts
        failed = _failed_deliveries(found.status_parts)
        try:
            bounced, quoted_ids = _read_bounce(message, found, headers, sender_address)
        except Exception as exc:  # an unreadable report stops nothing
            bounced, quoted_ids = (), []
            defects.append(type(exc).__name__)
        # A non-standard bounce quotes the original in its text: each Message-ID quoted there is one
        # more returned-message candidate, so a report quoting several is still used for nothing.
        extra_ids = [mid for mid in quoted_ids if mid not in returned_ids]
        returned_ids += extra_ids
        returned_count += len(extra_ids)

    # A forward's content is the request, not quoted history.
    reply_text = body_text if _FORWARD_PREFIX.match(subject) else latest_reply(body_text, languages=reply_languages)

    return InboundMail(
        message_id=message_ids[0] if message_ids else None,
        sender_address=sender_address,
        sender_name=sender_name,
        subject=subject,
        in_reply_to=in_reply_to,
        references=references,
        body_text=body_text,
        reply_text=reply_text,
        attachments=tuple(found.attachments),
        oversized_attachments=tuple(found.oversized),
        automatic=kind,
        automatic_reason=reason,
        hard_bounced_recipients=tuple(hard_bounces),
        returned_message_ids=tuple(returned_ids),
        body_from_html=from_html,
        ticket_number=ticket_number_from_subject(subject),
        vague_subject=is_vague_subject(subject),
        defects=tuple(dict.fromkeys(defects)),
        failed_deliveries=tuple(failed),
        returned_message_count=returned_count,
        part_count=len(found.part_types),
        bounced_recipients=bounced,
    )
