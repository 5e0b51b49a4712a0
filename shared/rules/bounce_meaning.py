"""What a bounce MEANS for one recipient: only an address failure may stop mail to it. Pure.

A bounce says why one delivery failed, in an RFC 3463 status code (often vague or wrong) and in
the receiving server's own words. Only "this address does not exist" (user unknown, no such
host or domain, the mailbox moved or was closed) says anything about the address; a full mailbox,
a spam or content filter, a policy, reputation or authentication refusal, a rate limit, a
suspended mailbox or an expired queue says the address is fine and the mail should go on.

The rule, failing closed (a real customer who stops getting invoices is worse than one more
bounce), in this order:

1. a temporary status (4.x.x) never stops mail;
2. any wording of a non-address reason wins: a report that says "user unknown" AND "over quota"
   or "blocked" is not trusted to be about the address. One exception: "disabled", "inactive"
   or "suspended" with an address status (iCloud's "5.1.1 inactive email address") is the
   "mailbox disabled" of issue 13 and does stop mail;
3. a status the RFC reserves for the sender (5.1.7, 5.1.8) or a full mailbox (5.2.2) never does;
4. an address status (5.1.1, 5.1.2, 5.1.3, 5.1.6, 5.1.10) does;
5. otherwise only the wording of an address failure can, and only where the refusal was about
   the address: never in reply to DATA (the server took the recipient, then a filter refused
   the content, whatever it claims), and for a status that names another reason (5.2.1
   "mailbox disabled", 5.7.x "policy", ...) only in reply to RCPT TO. An unspecific status
   (x.0.x, 5.1.0, none at all: most non-RFC 3464 formats) takes the wording as it is.

5.2.1 re-decided for issue 13: RFC 3463 calls it "mailbox disabled", and real reports use it for
suspended, disabled or filtered mailboxes (Gmail's "account ... is disabled" comes back) as well as
for unknown users; so 5.2.1 stops mail only when the server said "user unknown" at RCPT TO.
"Disabled", "suspended" and "inactive" without an address status mean a mailbox that exists and
may come back: never.

Wording classes are matched on the text with addresses and URLs removed (a local part like
"this-does-not-exist@" or a help link ".../?p=NoSuchUser" is no wording), in English and the
common languages of our customers and of the bounce corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ADDRESS_STATUS_CODES",
    "BounceMeaning",
    "BounceVerdict",
    "SmtpStage",
    "meaning_of",
    "smtp_stage",
    "status_code",
    "status_in_text",
]


class BounceMeaning(StrEnum):
    """Why one delivery failed. Only ADDRESS_FAILURE stops mail to the address."""

    ADDRESS_FAILURE = "address_failure"  # user unknown, no such host/domain, moved, closed
    MAILBOX_FULL = "mailbox_full"
    SUSPENDED = "suspended"  # disabled, inactive, on hold: the mailbox exists
    CONTENT_REJECTED = "content_rejected"  # spam, virus, content filters, refused after DATA
    POLICY = "policy"  # blocks, reputation, relaying, authentication, the sender refused
    RATE_LIMITED = "rate_limited"  # too many, greylisting
    EXPIRED = "expired"  # queue expired, delays, time-outs
    NETWORK_OR_SYSTEM = "network_or_system"  # connections, loops, the receiver's own failures
    TEMPORARY = "temporary"  # a 4.x.x status
    UNKNOWN = "unknown"  # nothing says why

    @property
    def stops_mail(self) -> bool:
        return self is BounceMeaning.ADDRESS_FAILURE


class SmtpStage(StrEnum):
    """The SMTP command a refusal answered, when the report says so."""

    MAIL = "mail"
    RCPT = "rcpt"
    DATA = "data"


@dataclass(frozen=True, slots=True)
class BounceVerdict:
    """The meaning of one failure, the status code it was read with and the wording that decided."""

    meaning: BounceMeaning
    code: str | None
    wording: str | None = None

    @property
    def stops_mail(self) -> bool:
        return self.meaning.stops_mail


# RFC 3463 codes that say the recipient's address itself is gone: 5.1.1 bad destination mailbox,
# 5.1.2 bad destination system, 5.1.3 bad destination address syntax, 5.1.6 mailbox has moved,
# 5.1.10 recipient domain has a null MX (RFC 7505).
ADDRESS_STATUS_CODES = frozenset({"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10"})
# Codes about something else whatever the text says: the sender's address, a full mailbox.
_NEVER_CODES = {
    "5.1.7": BounceMeaning.POLICY,
    "5.1.8": BounceMeaning.POLICY,
    "5.2.2": BounceMeaning.MAILBOX_FULL,
}
# The meaning a status code's subject (the middle number) gives when no wording decides.
_SUBJECT_MEANING = {
    "2": BounceMeaning.SUSPENDED,  # mailbox status: it exists
    "3": BounceMeaning.NETWORK_OR_SYSTEM,
    "4": BounceMeaning.NETWORK_OR_SYSTEM,
    "5": BounceMeaning.NETWORK_OR_SYSTEM,
    "6": BounceMeaning.CONTENT_REJECTED,
    "7": BounceMeaning.POLICY,
}

_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\d)")
# An enhanced status code inside free text; not a piece of an IP address or a version number.
_STATUS_IN_TEXT = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
# A basic SMTP reply code ("550 ", "<<< 421-", "ERROR_CODE :550,").
_REPLY_IN_TEXT = re.compile(r"(?<![\w.])([45])[0-5]\d(?=[\s:,;-])")


def status_code(status: str | None) -> str | None:
    """The "x.y.z" code at the start of a DSN Status field ("5.1.1 (user unknown)" → "5.1.1"), or None."""
    match = _STATUS.match(status or "")
    if match is None:
        return None
    return ".".join(str(int(group)) for group in match.groups())


def status_in_text(text: str) -> str | None:
    """The first enhanced status code in free text, else "4.0.0"/"5.0.0" for a basic reply code, else None."""
    match = _STATUS_IN_TEXT.search(text or "")
    if match is not None:
        return ".".join(str(int(group)) for group in match.groups())
    reply = _REPLY_IN_TEXT.search(text or "")
    return f"{reply.group(1)}.0.0" if reply else None


def _vague(code: str | None) -> bool:
    """A status that says nothing about the reason: none, x.0.x (5.0.0, sisimai's 5.0.9xx) or 5.1.0."""
    return code is None or code.split(".")[1] == "0" or code == "5.1.0"


# --------------------------------------------------------------------------------------
# Wording classes
# --------------------------------------------------------------------------------------


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Checked in this order; the first class whose wording appears decides. None of them may stop mail.
_NOT_ADDRESS_WORDING: tuple[tuple[BounceMeaning, re.Pattern[str]], ...] = (
    (BounceMeaning.POLICY, _words(
        r"\bsender(?:'s)? (?:address|domain|ip|verif\w*|rejected|refused|denied|blocked|unknown|not)",
        r"\b(?:invalid|unknown|valid|bad|unauthori[sz]ed) sender", r"\bmail from\b", r"\benvelope[- ]from\b",
    )),
    (BounceMeaning.MAILBOX_FULL, _words(
        r"mailbox (?:is )?full", r"full mailbox", r"mailbox.{0,30}\bfull\b", r"\bquota", r"over ?quota",
        r"insufficient (?:system )?storage", r"storage (?:space|limit|allocation)", r"out of (?:disk )?space",
        r"disk (?:is )?full", r"exceed\w* (?:the |its |his |her )?(?:mailbox|storage|size)", r"mailbox size",
        r"too much mail", r"postfach (?:ist )?(?:voll|überfüllt)", r"speicher\w* (?:ist )?(?:voll|erschöpft)",
        r"bo[iî]te (?:aux lettres |mail )?(?:est )?pleine", r"buz[oó]n (?:est[aá] )?lleno",
        r"casella (?:[eè] )?piena", r"skrzynka (?:jest )?pe[lł]na", r"schr[aá]nka je pln[aá]",
        r"переполнен", r"容量", r"一杯", r"空间不足", r"满了",
    )),
    (BounceMeaning.SUSPENDED, _words(
        r"disabled", r"suspend", r"inactive", r"deactivated", r"not active", r"no longer active",
        r"\bon hold\b", r"frozen", r"\blocked\b", r"gesperrt", r"deaktiviert", r"d[ée]sactiv[ée]",
        r"desactivad", r"sospes", r"disattivat", r"заблокирован", r"отключен", r"停止",
    )),
    (BounceMeaning.CONTENT_REJECTED, _words(
        r"\bspam(?!haus)", r"\bjunk\b", r"virus", r"malware", r"phishing", r"\bfilter",
        r"content (?:rejected|filter|policy)",
        r"message content", r"prohibited content", r"\bbulk\b", r"attachment", r"message (?:is )?too (?:big|large)",
        r"size (?:limit|exceeds)",
    )),
    (BounceMeaning.POLICY, _words(
        r"polic(?:y|ies)", r"block", r"black ?list", r"deny ?list", r"\brbl\b", r"spamhaus", r"reputation",
        r"not (?:allowed|permitted|authori[sz]ed)", r"unauthori[sz]ed", r"unauthenticated", r"authenticat",
        r"\bspf\b", r"\bdkim\b", r"\bdmarc\b", r"unable to relay", r"relaying", r"relay not", r"refused", r"denied",
        r"prohibited", r"banned",
        r"\babuse\b", r"\bptr\b", r"reverse dns", r"\btls\b", r"encrypt",
    )),
    (BounceMeaning.RATE_LIMITED, _words(
        r"gr[ae]y[- ]?list", r"try (?:again )?later", r"too many", r"rate[- ]?limit", r"throttl", r"too fast",
        r"slow down", r"limit exceeded", r"exceeded the (?:maximum|number|rate|limit)",
    )),
    (BounceMeaning.EXPIRED, _words(
        r"expired", r"timed? ?out", r"too long", r"\bdelay", r"\bretr(?:y|ies|ied)", r"\battempts?\b",
        r"\bqueue", r"aborted after",
    )),
    (BounceMeaning.NETWORK_OR_SYSTEM, _words(
        r"connection", r"network", r"unreachable", r"not reachable", r"no route", r"could not (?:find|connect)",
        r"unable to (?:connect|contact|deliver locally)", r"\bloop", r"hop count",
        r"service (?:currently )?unavailable",
        r"system error", r"internal error", r"local error", r"temporar", r"resources", r"\bldap\b", r"server busy",
        r"try again", r"mailer error", r"configuration error", r"handshake",
    )),
)

# The wording of an address failure: the mailbox, user, host or domain does not exist (any more).
_ADDRESS_WORDING = _words(
    # English
    r"(?:user|recipient|mailbox|address|account|addressee|local[- ]?part|alias|person|name)s?(?:\(s\))? "
    r"(?:is )?(?:unknown|not (?:found|known|recogni[sz]ed)|does ?n[o']t exist|not exist|no longer exists)",
    r"unknown (?:or illegal )?(?:user|recipient|mailbox|address|account|addressee|local[- ]?part|alias)",
    r"no such (?:user|recipient|mailbox|address|account|person|local user|domain|host)",
    r"invalid (?:final delivery )?(?:recipient|mailbox|address|user ?(?:id)?|account)",
    r"(?:not a|no) valid (?:recipient|mailbox|user|address)", r"does ?n[o']t exist", r"no longer exists",
    r"not (?:listed )?in (?:the |our )?(?:public )?(?:directory|address book|name (?:&|and) address book)",
    r"not listed in", r"no mailbox (?:here|by that name)", r"does ?n[o']t have an? (?:[\w.-]+ )?account",
    r"not our customer", r"unroutable", r"unrouteable", r"host (?:not found|unknown)", r"unknown host",
    r"domain (?:not found|unknown|does ?n[o']t exist|name not found)", r"unknown domain", r"\bnxdomain\b",
    r"null mx", r"does ?n[o']t accept (?:e-?)?mail", r"has moved", r"moved (?:permanently|away)",
    r"(?:account|mailbox) (?:has been |was )?(?:closed|deleted|removed|terminated|cancell?ed)",
    # German, French, Spanish, Italian, Dutch, Polish, Czech, Portuguese
    r"(?:empf[aä]nger|benutzer|nutzer|adresse|postfach|mailbox)\w* (?:ist )?unbekannt",
    r"unbekannte[rs]? (?:empf[aä]nger|benutzer|nutzer|adresse)", r"existiert nicht", r"gibt es nicht",
    r"(?:utilisateur|destinataire|adresse|compte|bo[iî]te)\w* (?:est )?inconnue?", r"n'existe (?:pas|plus)",
    r"(?:usuario|destinatario|direcci[oó]n|buz[oó]n|cuenta)\w* (?:\w+ )?desconocid", r"no existe",
    r"(?:utente|destinatario|indirizzo|casella)\w* (?:\w+ )?(?:sconosciut|inesistent)", r"non esiste",
    r"onbekende? (?:gebruiker|ontvanger|adres)", r"bestaat niet",
    r"nieznany (?:u[zż]ytkownik|adresat|odbiorca)", r"nie istnieje",
    r"nezn[aá]m[yý] (?:u[zž]ivatel|adres[aá]t|p[rř][ií]jemce)", r"neexistuje",
    r"(?:usu[aá]rio|destinat[aá]rio|endere[cç]o)\w* (?:\w+ )?desconhecid", r"n[aã]o existe",
    # Russian, Japanese, Chinese
    r"не существует", r"нет такого", r"(?:пользовател|адресат|получател|ящик)\w* не найден",
    r"неизвестн\w* (?:пользовател|адресат|получател)",
    r"存在しません", r"存在しない", r"ディレクトリのリストにありません", r"宛先不明",
    r"不存在", r"无此用户", r"無此用戶",
)

_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")
_URL = re.compile(r"\b(?:https?|ftp)://\S+", re.IGNORECASE)
# Multi-line SMTP replies repeat the code on every line ("550-5.7.1 Unauthenticated ... 550-5.7.1 DMARC").
_REPLY_PREFIX = re.compile(r"(?<![\w.])[245]\d\d[ -](?:[245]\.\d{1,3}\.\d{1,3}\s)?")


def _wording_text(text: str) -> str:
    """The words of a report: no addresses, URLs or repeated reply codes, single-spaced, case-folded."""
    text = _URL.sub(" ", text or "")
    text = _ADDRESS.sub(" ", text)
    text = _REPLY_PREFIX.sub(" ", text)
    return " ".join(text.split()).casefold()


_STAGES = (
    (SmtpStage.RCPT, re.compile(
        r">>>\s*rcpt\b|in reply to rcpt(?: to)? command|after rcpt\b|did not like our rcpt|\(rcpt(?: to)?\)"
    )),
    (SmtpStage.DATA, re.compile(
        r">>>\s*data\b|in reply to (?:end of )?data command|after (?:end of )?data\b|did not like our data|"
        r"\(data\)|end of data"
    )),
    (SmtpStage.MAIL, re.compile(r">>>\s*mail from|in reply to mail from command|after mail from\b")),
)


def smtp_stage(text: str) -> SmtpStage | None:
    """The SMTP command the (last mentioned) refusal answered: RCPT TO, DATA, MAIL FROM; None when unsaid."""
    folded = " ".join((text or "").split()).casefold()
    last: tuple[int, SmtpStage] | None = None
    for stage, pattern in _STAGES:
        for match in pattern.finditer(folded):
            if last is None or match.start() > last[0]:
                last = (match.start(), stage)
    return last[1] if last else None


def meaning_of(status: str | None, diagnostic: str, *, stage: SmtpStage | None = None) -> BounceVerdict:
    """What one failure means, from its status (a DSN Status field, may be empty) and the server's words.

    Without a status the first code in the words is used. `stage` overrides what the words say
    about the SMTP command that was refused.
    """
    code = status_code(status) or status_in_text(diagnostic)
    if code is not None and code.startswith("4"):
        return BounceVerdict(BounceMeaning.TEMPORARY, code)
    words = _wording_text(diagnostic)
    for meaning, pattern in _NOT_ADDRESS_WORDING:
        found = pattern.search(words)
        if found and not (meaning is BounceMeaning.SUSPENDED and code in ADDRESS_STATUS_CODES):
            return BounceVerdict(meaning, code, found.group(0))
    if code in _NEVER_CODES:
        return BounceVerdict(_NEVER_CODES[code], code)
    if code in ADDRESS_STATUS_CODES:
        return BounceVerdict(BounceMeaning.ADDRESS_FAILURE, code)
    by_code = _SUBJECT_MEANING.get(code.split(".")[1], BounceMeaning.UNKNOWN) if code else BounceMeaning.UNKNOWN
    address = _ADDRESS_WORDING.search(words)
    if address is None:
        return BounceVerdict(by_code, code)
    stage = stage or smtp_stage(diagnostic)
    if stage is SmtpStage.DATA:
        # The server took the recipient at RCPT TO; refusing it after DATA is a filter's verdict.
        return BounceVerdict(BounceMeaning.CONTENT_REJECTED, code, address.group(0))
    if _vague(code) or stage is SmtpStage.RCPT:
        return BounceVerdict(BounceMeaning.ADDRESS_FAILURE, code, address.group(0))
    return BounceVerdict(by_code, code, address.group(0))
