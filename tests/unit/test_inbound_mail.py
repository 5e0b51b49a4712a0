"""Inbound mail rules against the team's corpus of real-world mail and hand-made hard cases.

The corpus (../shared/testdata/emails, see its README and MANIFEST.csv) is read in
place through the ``testdata_dir`` fixture; nothing is copied into the project. The
expected classification of every corpus mail is written out below by hand, from what
each mail is (README description and MANIFEST flags), not from what the classifier says.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import re
import tomllib
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.mail.inbound.classification import classify
from shared.mail.inbound.html_text import html_to_text
from shared.mail.inbound.parse import parse_inbound_mail
from shared.mail.inbound.replies import latest_reply
from shared.mail.inbound.values import AutomaticKind, InboundMail
from shared.rules.mail_subjects import is_vague_subject, strip_reply_prefixes, ticket_number_from_subject
from tests import conftest

POLICY = tomllib.loads((conftest.PROJECT_ROOT / "shared" / "policy.toml").read_text(encoding="utf-8"))
MAX_ATTACHMENT_BYTES: int = POLICY["support"]["max_attachment_bytes"]


def _manifest_files() -> list[str]:
    """Mail files listed in MANIFEST.csv (empty when the test data is absent: tests then skip)."""
    manifest = conftest.testdata_path() / "emails" / "MANIFEST.csv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as handle:
        return [row["file"] for row in csv.DictReader(handle)]


def _manifest_flags() -> dict[str, str]:
    manifest = conftest.testdata_path() / "emails" / "MANIFEST.csv"
    if not manifest.is_file():
        return {}
    with manifest.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: row["flags"] for row in csv.DictReader(handle)}


ALL_MAILS = _manifest_files()
ZAMMAD_EXPECTATIONS = [f for f in ALL_MAILS if f.startswith("zammad/mail") and f.endswith(".box")]


@pytest.fixture(scope="module")
def emails(testdata_dir: Path) -> Path:
    return testdata_dir / "emails"


def parse(path: Path, limit: int = MAX_ATTACHMENT_BYTES) -> InboundMail:
    return parse_inbound_mail(path.read_bytes(), max_attachment_bytes=limit)


def norm(text: str) -> str:
    """Whitespace-insensitive form for comparing bodies and subjects."""
    return " ".join(text.split())


def load_zammad_yaml(path: Path) -> dict[str, Any]:
    """Zammad's Ruby YAML, read as plain strings (the !ruby/... tags are dropped)."""
    text = re.sub(r"!ruby/\S+", "", path.read_text(encoding="utf-8"))
    text = re.sub(r"!binary\b", "", text)
    data: dict[str, Any] = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only strings
    return data


# --------------------------------------------------------------------------------------
# The corpus, classified by hand
# --------------------------------------------------------------------------------------

AUTOMATIC: dict[str, AutomaticKind] = {
    "discourse/auto_reply.eml": AutomaticKind.AUTO_GENERATED,  # Auto-Submitted: auto-generated
    "flanker/bounce/delayed.eml": AutomaticKind.BOUNCE,
    "flanker/bounce/gmail-invalid-address.eml": AutomaticKind.BOUNCE,  # text/plain, only From/Subject say so
    "flanker/bounce/mailbox-full.eml": AutomaticKind.BOUNCE,
    "flanker/disposition-notification.eml": AutomaticKind.READ_RECEIPT,
    "mail-parser/mail_malformed_2": AutomaticKind.BOUNCE,
    "sisimai/lhost-amazonses-01.eml": AutomaticKind.BOUNCE,
    "sisimai/lhost-office365-01.eml": AutomaticKind.BOUNCE,
    "sisimai/lhost-postfix-03.eml": AutomaticKind.BOUNCE,
    "sisimai/rfc3834-01.eml": AutomaticKind.AUTO_REPLY,  # vacation, Auto-Submitted: auto-replied
    "sisimai/rfc3834-02.eml": AutomaticKind.AUTO_REPLY,  # Exchange "Automatic reply:", no Auto-Submitted
    "sisimai/rfc3834-03.eml": AutomaticKind.AUTO_REPLY,  # iCloud "Auto reply:", X-Apple-Action: VACATION
    "sisimai/rfc3834-04.eml": AutomaticKind.AUTO_REPLY,  # Exchange out-of-office
    "sisimai/rfc3834-05.eml": AutomaticKind.AUTO_REPLY,
    "sisimai/rfc3834-06.eml": AutomaticKind.AUTO_REPLY,  # Mimecast autoresponder
    "zammad/mail018.box": AutomaticKind.BOUNCE,  # Exchange DSN in UTF-7
    "zammad/mail033-undelivered-mail-returned-to-sender.box": AutomaticKind.BOUNCE,
    "zammad/mail053.box": AutomaticKind.BOUNCE,
    "zammad/mail055.box": AutomaticKind.BOUNCE,
    "zammad/mail078.box": AutomaticKind.BOUNCE,  # Gmail delay notification
    "zammad/mail089.box": AutomaticKind.AUTO_GENERATED,  # ServiceNow notification
    "zammad/mail090.box": AutomaticKind.AUTO_GENERATED,
    "zammad/mail092.box": AutomaticKind.BOUNCE,
    "zammad/ticket_trigger/mail2.box": AutomaticKind.BULK,  # Precedence: bulk
}

# Mails written by people. zammad/mail011 (a newsletter) and mail020 (spam) carry no header
# that marks them as machine mail, so they must not be classified as automatic either.
HUMAN: frozenset[str] = frozenset(
    {
        "django-helpdesk/all-special-chars.eml",
        "django-helpdesk/blank-body-with-attachment.eml",
        "django-helpdesk/quoted_printable.eml",
        "django-helpdesk/utf-nondecodable.eml",
        "flanker/missing-final-boundary.eml",
        "mail-parser/mail_test_14",
        "mail-parser/mail_test_18",
        "talon/standard_replies/apple_mail_2.eml",
        "talon/standard_replies/iphone.eml",
        "talon/standard_replies/outlook.eml",  # X-Mailgun-Mailing-List-Id is not List-Id
        "talon/standard_replies/sparrow.eml",
        "zammad/mail001.box",
        "zammad/mail002.box",
        "zammad/mail004.box",
        "zammad/mail005.box",
        "zammad/mail006.box",
        "zammad/mail010.box",
        "zammad/mail011.box",
        "zammad/mail013.box",
        "zammad/mail014.box",  # forwards two messages as attachments: still a person's mail
        "zammad/mail020.box",
        "zammad/mail024.box",
        "zammad/mail026.box",
        "zammad/mail029.box",
        "zammad/mail030.box",
        "zammad/mail034.box",
        "zammad/mail036.box",
        "zammad/mail045.box",
        "zammad/mail067.box",
        "zammad/mail072.box",
        "zammad/mail075.box",
        "zammad/mail081.box",
        "zammad/mail085.box",
        "zammad/mail091.box",
        "zammad/mail098.box",
    }
)

# Permanent failures (Action: failed, Status 5.x.x, or Gmail's X-Failed-Recipients).
HARD_BOUNCES: dict[str, tuple[str, ...]] = {
    "flanker/bounce/gmail-invalid-address.eml": ("awfawfawfawfawfaw@someserverhere.com",),
    "flanker/bounce/mailbox-full.eml": ("user@aol.com",),
    "sisimai/lhost-amazonses-01.eml": ("shironeko@example.co.jp",),
    "sisimai/lhost-postfix-03.eml": ("kijitora@example.net",),
    "zammad/mail018.box": ("m.smith@example.com",),
    "zammad/mail033-undelivered-mail-returned-to-sender.box": ("not_existing@znuny.com",),
    "zammad/mail055.box": ("ticket-bounce-trigger2@example.com",),
    "zammad/mail092.box": ("receiver@example.org",),
}
# Bounces that must NOT stop mail: delays and 4.x.x statuses are temporary.
SOFT_BOUNCES = (
    "flanker/bounce/delayed.eml",  # Action: failed but Status 4.0.0
    "mail-parser/mail_malformed_2",  # Status 4.2.2, mailbox full (transient)
    "zammad/mail053.box",  # Status 4.4.1
    "zammad/mail078.box",  # Action: delayed
)


def test_corpus_is_there_and_every_mail_is_listed_once(emails: Path) -> None:
    on_disk = {
        str(p.relative_to(emails))
        for p in emails.rglob("*")
        if p.is_file() and p.suffix not in (".yml", ".csv") and not p.name.endswith("_reply_text")
    }
    assert len(ALL_MAILS) == 59
    assert on_disk == set(ALL_MAILS)
    assert not HUMAN & AUTOMATIC.keys()
    assert HUMAN | AUTOMATIC.keys() == set(ALL_MAILS)


def test_manifest_flags_agree_with_the_automatic_list(emails: Path) -> None:
    """Every mail the manifest flags with a machine header is in AUTOMATIC (checks the list, not the code)."""
    machine_flags = ("Auto-Submitted=auto", "Precedence=", "X-Auto-Response-Suppress", "multipart/report:")
    flagged = {f for f, flags in _manifest_flags().items() if any(m in flags for m in machine_flags)}
    assert flagged
    assert flagged <= AUTOMATIC.keys()


@pytest.mark.parametrize("name", ALL_MAILS)
def test_every_corpus_mail_parses(emails: Path, name: str) -> None:
    mail = parse(emails / name)
    assert isinstance(mail, InboundMail)
    for text in (mail.subject, mail.body_text, mail.reply_text, mail.sender_name):
        text.encode("utf-8")  # storable: no lone surrogates left over from bad bytes
    assert all(a.size == len(a.content) for a in mail.attachments)
    assert all(a.filename and "/" not in a.filename for a in mail.attachments)


@pytest.mark.parametrize("name", sorted(AUTOMATIC))
def test_automatic_mail_is_classified(emails: Path, name: str) -> None:
    mail = parse(emails / name)
    assert mail.automatic is AUTOMATIC[name]
    assert mail.is_automatic
    assert mail.automatic_reason


@pytest.mark.parametrize("name", sorted(HUMAN))
def test_human_mail_is_not_automatic(emails: Path, name: str) -> None:
    mail = parse(emails / name)
    assert mail.automatic is None, mail.automatic_reason
    assert mail.hard_bounced_recipients == ()


@pytest.mark.parametrize("name", sorted(HARD_BOUNCES))
def test_hard_bounce_recipients(emails: Path, name: str) -> None:
    assert parse(emails / name).hard_bounced_recipients == HARD_BOUNCES[name]


@pytest.mark.parametrize("name", SOFT_BOUNCES)
def test_temporary_failures_stop_no_mail(emails: Path, name: str) -> None:
    mail = parse(emails / name)
    assert mail.automatic is AutomaticKind.BOUNCE
    assert mail.hard_bounced_recipients == ()


def test_bounce_names_the_returned_message(emails: Path) -> None:
    """So the caller can check a bounce is about a mail we sent before stopping an address."""
    mail = parse(emails / "zammad/mail033-undelivered-mail-returned-to-sender.box")
    assert mail.returned_message_ids == ("20150830145601.30.608881@edenhofer.zammad.com",)
    assert parse(emails / "zammad/mail014.box").returned_message_ids == ()  # forwarded, not bounced


# --------------------------------------------------------------------------------------
# Zammad's expected results
# --------------------------------------------------------------------------------------

# Where Zammad's stored result is Zammad's own quirk and ours is the better reading.
SUBJECT_OVERRIDES = {
    # Zammad strips the encoded-word markers but never decodes the UTF-7 ("+ANw-" is "Ü").
    "zammad/mail018.box": "Benachrichtung zum Übermittlungsstatus (Fehlgeschlagen)",
}
BODY_OVERRIDES = {
    "zammad/mail018.box": "Dies ist eine automatisch erstellte Benachrichtigung über den Zustellstatus.",
}
ZAMMAD_EMPTY_BODY = "no visible content"  # Zammad's placeholder for an empty body
ATTACHMENT_OVERRIDES = {
    # Zammad calls the unnamed text/rfc822-headers part "file"; we name it by its description.
    "zammad/mail053.box": ["Delivery report.txt", "Undelivered Message Headers.txt"],
    # Apple Mail's second HTML alternative: Zammad keeps it as "document.html", for us it is
    # another rendering of the text/plain body, not a file the customer attached.
    "zammad/mail085.box": [],
}


@pytest.mark.parametrize("name", ZAMMAD_EXPECTATIONS)
def test_zammad_expectations(emails: Path, name: str) -> None:
    expected = load_zammad_yaml((emails / name).with_suffix(".yml"))
    mail = parse(emails / name)

    assert mail.subject == SUBJECT_OVERRIDES.get(name, norm(expected["subject"]))
    assert mail.sender_address == expected["from_email"].lower()
    # RFC 2047 says the space between two encoded words is dropped; Zammad does, the
    # email package keeps one ("Hans BÄKO Schönland"): compare without spaces.
    assert mail.sender_name.replace(" ", "") == expected["from_display_name"].replace(" ", "")

    if expected["content_type"] == "text/plain":
        want = norm(BODY_OVERRIDES.get(name, expected["body"]))
        if want == ZAMMAD_EMPTY_BODY:
            assert mail.body_text == ""
        else:
            assert norm(mail.body_text).startswith(want[:80]) or want[:80] in norm(mail.body_text)
            assert not mail.body_from_html

    attachments = [
        a["filename"]
        for a in (expected.get("attachments") or [])
        if str((a.get("preferences") or {}).get("content-alternative", "")).lower() != "true"
    ]
    assert sorted(a.filename for a in mail.attachments) == sorted(ATTACHMENT_OVERRIDES.get(name, attachments))


HTML_ONLY = [
    "zammad/mail006.box",
    "zammad/mail020.box",
    "zammad/mail029.box",
    "zammad/mail030.box",
    "zammad/mail036.box",
    "zammad/mail075.box",
]


@pytest.mark.parametrize("name", HTML_ONLY)
def test_html_only_mail_becomes_text(emails: Path, name: str) -> None:
    """The text of Zammad's sanitised HTML body starts our converted body."""
    expected = load_zammad_yaml((emails / name).with_suffix(".yml"))
    mail = parse(emails / name)
    assert mail.body_from_html
    assert not re.search(r"</?(?:html|body|p|div|br|span|table|td|a|font|style)\b", mail.body_text)
    words = norm(html.unescape(re.sub(r"<[^>]+>", " ", expected["body"]))).replace("\xa0", " ")
    assert norm(words)[:40] in norm(mail.body_text)


def test_empty_text_part_falls_back_to_html(emails: Path) -> None:
    mail = parse(emails / "zammad/mail034.box")
    assert mail.body_text == "some html text"
    assert mail.body_from_html


def test_plain_text_is_preferred_over_html(emails: Path) -> None:
    mail = parse(emails / "mail-parser/mail_test_14")
    assert mail.body_text == "Plaintext here."
    assert [(a.content_type, a.inline) for a in mail.attachments] == [("image/png", True)]


def test_threading_headers(emails: Path) -> None:
    mail = parse(emails / "zammad/mail004.box")
    assert mail.ticket_number == "11168"
    assert mail.in_reply_to == ("20120507062840.265.107538@portal.example.com",)
    assert len(mail.references) == 2
    assert all("<" not in r and ">" not in r for r in mail.references)
    assert mail.message_id == "F799DA4E63A20B4EBE9D5A412196D71D3CADBEA04E@ECCR04PUBLIC.exchange.local"


def test_inline_image_is_an_attachment(emails: Path) -> None:
    (image,) = parse(emails / "zammad/mail010.box").attachments
    assert (image.filename, image.content_type, image.inline) == ("image001.jpg", "image/jpeg", True)
    assert image.content_id == "image001.jpg@01CDB132.D8A510F0"
    assert image.content.startswith(b"\xff\xd8")  # JPEG magic: decoded, not base64


# --------------------------------------------------------------------------------------
# Quoted history and signatures (talon's expectations)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["iphone", "sparrow"])
def test_talon_reply_text(emails: Path, name: str) -> None:
    """talon's *_reply_text strips the quote but keeps the signature; reply_text drops both."""
    folder = emails / "talon" / "standard_replies"
    mail = parse(folder / f"{name}.eml")
    expected = (folder / f"{name}_reply_text").read_text(encoding="utf-8")
    assert norm(latest_reply(mail.body_text, keep_signature=True)) == norm(expected)
    assert mail.reply_text == "Hello"


@pytest.mark.parametrize("name", ["apple_mail_2", "outlook"])
def test_talon_hello(emails: Path, name: str) -> None:
    mail = parse(emails / "talon" / "standard_replies" / f"{name}.eml")
    assert mail.reply_text == "Hello"
    assert "wrote:" in mail.body_text or "From:" in mail.body_text  # the history is kept in body_text


def test_bottom_posted_reply_keeps_the_answer(emails: Path) -> None:
    mail = parse(emails / "zammad/mail005.box")
    assert mail.reply_text.startswith("Hallo Martin,")
    assert "Hallo Marc" not in mail.reply_text  # the quoted mail above the answer is gone


def test_signature_is_stripped(emails: Path) -> None:
    assert parse(emails / "zammad/mail002.box").reply_text == "äöüß ad asd"


def test_bare_forward_keeps_the_forwarded_text(emails: Path) -> None:
    mail = parse(emails / "django-helpdesk/utf-nondecodable.eml")
    assert mail.subject == "Fwd: Cyklozaměstnavatel - změna vyhodnocení"
    assert "Forwarded Message" in mail.reply_text
    assert len(mail.reply_text) > 100


# --------------------------------------------------------------------------------------
# Hand-made hard cases
# --------------------------------------------------------------------------------------


def build(
    subject: str = "Export to Excel fails",
    body: str = "Hello,\nthe export stops at 50%.\n",
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Erika Mustermann <Erika.Mustermann@Customer.example>"
    message["To"] = "support@cocoon.example"
    message["Subject"] = subject
    message["Message-ID"] = "<abc.123@customer.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def parse_message(message: EmailMessage, limit: int = MAX_ATTACHMENT_BYTES) -> InboundMail:
    return parse_inbound_mail(message.as_bytes(), max_attachment_bytes=limit)


def test_ordinary_mail() -> None:
    mail = parse_message(build())
    assert mail.sender_address == "erika.mustermann@customer.example"
    assert mail.sender_name == "Erika Mustermann"
    assert mail.message_id == "abc.123@customer.example"
    assert mail.body_text == "Hello,\nthe export stops at 50%."
    assert mail.automatic is None
    assert not mail.vague_subject


def test_rfc2231_filename_with_continuations() -> None:
    raw = (
        b"From: a@customer.example\r\nSubject: Rechnung\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsiehe Anhang\r\n"
        b"--b1\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n filename*0*=utf-8''Rechnung%20M%C3%A4rz;\r\n"
        b" filename*1*=%20%E2%82%AC%202026.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0xLjQK\r\n"
        b'--b1\r\nContent-Type: text/plain; name="=?UTF-8?Q?Gr=C3=B6=C3=9Fe.txt?="\r\n'
        b"Content-Disposition: attachment\r\n\r\nx\r\n"
        b"--b1\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="..\\\\..\\\\evil\\\\boot.ini"\r\n\r\nx\r\n'
        b"--b1--\r\n"
    )
    mail = parse_inbound_mail(raw, max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    assert [a.filename for a in mail.attachments] == ["Rechnung März € 2026.pdf", "Größe.txt", "boot.ini"]
    assert mail.attachments[0].content == b"%PDF-1.4\n"
    assert mail.body_text == "siehe Anhang"


def test_oversized_attachment_is_listed_without_bytes() -> None:
    message = build()
    big = bytes(range(256)) * 4096  # 1 MiB
    message.add_attachment(big, maintype="application", subtype="zip", filename="logs.zip")
    message.add_attachment(b"small", maintype="text", subtype="plain", filename="note.txt")
    mail = parse_message(message, limit=512 * 1024)
    assert [(o.filename, o.content_type, o.size) for o in mail.oversized_attachments] == [
        ("logs.zip", "application/zip", len(big))
    ]
    assert [a.filename for a in mail.attachments] == ["note.txt"]
    assert all(a.content != big for a in mail.attachments)
    # Under the policy limit the same file is kept.
    assert [a.size for a in parse_message(message).attachments] == [len(big), 5]


def test_cc_is_not_kept_anywhere() -> None:
    message = build(Cc="Carol Secret <carol@cc-only.example>, dave@cc-only.example")
    mail = parse_message(message)
    dumped = repr(dataclasses.asdict(mail))
    assert "cc-only" not in dumped
    assert "Carol" not in dumped
    assert not any("cc" in f.name for f in dataclasses.fields(mail))


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("[Ticket#2026112210001] Export fails", "2026112210001"),
        ("Re: AW: Export fails [Ticket#2026112210001]", "2026112210001"),
        ("RE: [ticket# 123] x", "123"),
        ("[ Ticket #42 ]", "42"),
        ("[TICKET#7]", "7"),
        ("Ticket#123 without brackets", None),
        ("[Ticket#] empty", None),
        ("Invoice 2026112210001", None),
        ("", None),
    ],
)
def test_ticket_number_from_subject(subject: str, number: str | None) -> None:
    assert ticket_number_from_subject(subject) == number


@pytest.mark.parametrize(
    "subject",
    [
        "",
        "   ",
        "Fehler",
        "Problem",
        "ERROR!!!",
        "Help",
        "Hilfe!",
        "Frage",
        "Question?",
        "Urgent",
        "Re:",
        "AW:",
        "Fwd:",
        "Re: AW: Fehler",
        "WG: Problem [Ticket#2026112210001]",
        "URGENT: problem",
        "We have a problem",
        "Bitte um Hilfe",
        "Problème",
        "Błąd",
        "Dringend!!! Fehler",
    ],
)
def test_vague_subjects(subject: str) -> None:
    assert is_vague_subject(subject)


@pytest.mark.parametrize(
    "subject",
    [
        "Export to Excel fails",
        "Fehler beim PDF-Export",
        "Problem with invoice 2026-0042",
        "Re: Login error after update [Ticket#123]",
        "Error 500 on save",
        "Frage zur Rechnung",
    ],
)
def test_specific_subjects(subject: str) -> None:
    assert not is_vague_subject(subject)


@pytest.mark.parametrize(
    ("subject", "stripped"),
    [
        ("Re: Export", "Export"),
        ("RE: AW: WG: Export", "Export"),
        ("Fwd: Fw: Export", "Export"),
        ("Antwort: Export", "Export"),
        ("SV: Export", "Export"),
        ("Re[2]: Export", "Export"),
        ("Re (3): Export", "Export"),
        ("TR: RE: Export", "Export"),
        ("Odp: Export", "Export"),
        ("Reply to Export", "Reply to Export"),
        ("Rechnung: März", "Rechnung: März"),
        ("", ""),
    ],
)
def test_strip_reply_prefixes(subject: str, stripped: str) -> None:
    assert strip_reply_prefixes(subject) == stripped


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        ({"Auto_Submitted": "auto-replied"}, AutomaticKind.AUTO_REPLY),
        ({"Auto_Submitted": "auto-generated"}, AutomaticKind.AUTO_GENERATED),
        ({"Auto_Submitted": "no"}, None),
        ({"X_Auto_Response_Suppress": "All"}, AutomaticKind.AUTO_GENERATED),
        ({"Precedence": "bulk"}, AutomaticKind.BULK),
        ({"Precedence": "junk"}, AutomaticKind.BULK),
        ({"Precedence": "list"}, AutomaticKind.MAILING_LIST),
        ({"Precedence": "auto_reply"}, AutomaticKind.AUTO_REPLY),
        ({"X_Loop": "support@cocoon.example"}, AutomaticKind.LOOP),
        ({"List_Id": "<users.lists.example>"}, AutomaticKind.MAILING_LIST),
        ({"List_Unsubscribe": "<mailto:leave@lists.example>"}, AutomaticKind.MAILING_LIST),
        ({"X_Apple_Action": "VACATION"}, AutomaticKind.AUTO_REPLY),
        ({"Return_Path": "<>"}, AutomaticKind.AUTO_GENERATED),
        ({"Return_Path": "<erika@customer.example>"}, None),
    ],
)
def test_classification_headers(headers: dict[str, str], kind: AutomaticKind | None) -> None:
    message = build(**headers)
    assert parse_message(message).automatic is kind
    assert classify(message) is kind


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("Automatic reply: Export", AutomaticKind.AUTO_REPLY),
        ("Out of Office: Export", AutomaticKind.AUTO_REPLY),
        ("Abwesenheitsnotiz: Export", AutomaticKind.AUTO_REPLY),
        ("Automatische Antwort: Export", AutomaticKind.AUTO_REPLY),
        ("Undeliverable: Export", AutomaticKind.BOUNCE),
        ("Mail delivery failed: returning message to sender", AutomaticKind.BOUNCE),
        ("Delivery Status Notification (Failure)", AutomaticKind.BOUNCE),
        # A person forwarding a bounce or asking about the out-of-office feature needs help.
        ("Fwd: Undeliverable: Invoice", None),
        ("Question about the out of office setting", None),
    ],
)
def test_classification_subjects(subject: str, kind: AutomaticKind | None) -> None:
    assert parse_message(build(subject=subject)).automatic is kind


def test_mailer_daemon_sender_is_a_bounce() -> None:
    message = build()
    message.replace_header("From", "Mail Delivery System <MAILER-DAEMON@mx.customer.example>")
    assert parse_message(message).automatic is AutomaticKind.BOUNCE


def test_forwarded_bounce_as_attachment_is_a_persons_mail() -> None:
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@mx.example"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce.set_content("gone")
    message = build(subject="Why do my invoices bounce?")
    message.add_attachment(bounce)
    mail = parse_message(message)
    assert mail.automatic is None
    assert mail.hard_bounced_recipients == ()
    assert [a.filename for a in mail.attachments] == ["Undelivered Mail Returned to Sender.eml"]


def test_delivery_status_report_built_by_hand() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nSubject: failure\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nsorry\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example\r\n\r\n"
        b"Final-Recipient: rfc822; Gone@Customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"Final-Recipient: rfc822; later@customer.example\r\nAction: delayed\r\nStatus: 4.4.7\r\n\r\n"
        b"Original-Recipient: rfc822;alias@customer.example\r\n"
        b"Final-Recipient: rfc822; real@customer.example\r\nAction: failed\r\nStatus: 5.2.1\r\n\r\n"
        b"--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <ours.1@cocoon.example>\r\n"
        b"--r--\r\n"
    )
    mail = parse_inbound_mail(raw, max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    assert mail.automatic is AutomaticKind.BOUNCE
    assert mail.hard_bounced_recipients == (
        "gone@customer.example",
        "real@customer.example",
        "alias@customer.example",
    )
    assert mail.returned_message_ids == ("ours.1@cocoon.example",)


def test_read_receipt_by_part_without_report_type() -> None:
    raw = (
        b"From: a@customer.example\r\nSubject: Gelesen: Export\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nread\r\n"
        b"--r\r\nContent-Type: message/disposition-notification\r\n\r\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n"
        b"--r--\r\n"
    )
    assert parse_inbound_mail(raw, max_attachment_bytes=1000).automatic is AutomaticKind.READ_RECEIPT


def test_html_to_text() -> None:
    markup = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<p>Hallo&nbsp;Team,</p><p>Zeile 1<br>Zeile 2</p><ul><li>eins</li><li>zwei</li></ul>"
        "<script>alert(1)</script><blockquote><p>alte Mail</p></blockquote><div>Gruß</div></body></html>"
    )
    assert html_to_text(markup) == "Hallo Team,\n\nZeile 1\nZeile 2\n\n- eins\n- zwei\n\n> alte Mail\n\nGruß"


def test_quoted_history_in_html_only_reply_is_stripped() -> None:
    message = build(subject="Re: Export")
    message.set_content(
        "<p>Yes, it works now.</p><div>On Mon, 1 Jun 2026, Support wrote:</div>"
        "<blockquote><p>Please try again.</p></blockquote>",
        subtype="html",
    )
    mail = parse_message(message)
    assert mail.body_from_html
    assert mail.reply_text == "Yes, it works now."


def test_format_flowed_is_unflowed() -> None:
    raw = (
        b"From: a@customer.example\r\nSubject: s\r\n"
        b"Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n"
        b"This line is \r\nsoft-wrapped.\r\n\r\nNew paragraph.\r\n"
    )
    mail = parse_inbound_mail(raw, max_attachment_bytes=1000)
    assert mail.body_text == "This line is soft-wrapped.\n\nNew paragraph."


@pytest.mark.parametrize(
    ("charset", "body", "text"),
    [
        (b"us-ascii", "Grüße".encode(), "Grüße"),  # declared ASCII, sent UTF-8
        (b"x-made-up", "Grüße".encode(), "Grüße"),  # unknown charset
        (b"iso-8859-1", "Grüße".encode("cp1252"), "Grüße"),
        (b"windows-1258", "Réclamation".encode("cp1258"), "Réclamation"),
        (b"unicode-1-1-utf-7", "Ü".encode("utf-7"), "Ü"),
        (None, "Grüße".encode("cp1252"), "Grüße"),  # undeclared, not UTF-8
    ],
)
def test_body_charsets(charset: bytes | None, body: bytes, text: str) -> None:
    content_type = b"Content-Type: text/plain" + (b"; charset=" + charset if charset else b"") + b"\r\n"
    raw = b"From: a@customer.example\r\nSubject: s\r\n" + content_type + b"\r\n" + body + b"\r\n"
    assert parse_inbound_mail(raw, max_attachment_bytes=1000).body_text == text


def test_raw_8bit_headers_and_mbox_line() -> None:
    raw = (
        b"From someone@example.com  Fri Jan  6 19:23:41 2017\n"
        b"Subject: Pr\xc3\xa4sentation \xc3\xbcber\n"
        b"From: R\xc3\xa9mi <Remi@Customer.example>\n\nBody \xc3\xa9\n"
    )
    mail = parse_inbound_mail(raw, max_attachment_bytes=1000)
    assert (mail.subject, mail.sender_name, mail.sender_address) == (
        "Präsentation über",
        "Rémi",
        "remi@customer.example",
    )
    assert mail.body_text == "Body é"


def test_in_reply_to_and_references_are_normalized() -> None:
    message = build(
        In_Reply_To="<x.1@cocoon.example> (Support's message of Monday)",
        References="<a.1@customer.example>  <x.1@cocoon.example>",
    )
    mail = parse_message(message)
    assert mail.in_reply_to == ("x.1@cocoon.example",)
    assert mail.references == ("a.1@customer.example", "x.1@cocoon.example")


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe",
        b"Subject: only headers",
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary at all",
        b"From: <>\r\nFrom: second@example.com\r\nSubject: =?x-unknown?B?!!!?=\r\n\r\n",
        b'From: "unterminated <a@b\r\nSubject: =?utf-8?Q?broken\r\n\r\nx',
        b'Content-Type: text/plain; charset="\xff\xfe"\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@',
        b"Content-Type: multipart/mixed; boundary=a\r\n\r\n"
        + b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" * 200,
    ],
)
def test_broken_input_never_raises(raw: bytes) -> None:
    mail = parse_inbound_mail(raw, max_attachment_bytes=1000)
    assert isinstance(mail, InboundMail)


def test_absurd_nesting_is_cut_off() -> None:
    depth = 120
    raw = b"From: a@customer.example\r\nSubject: s\r\n"
    for level in range(depth):
        raw += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    raw += b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    mail = parse_inbound_mail(raw, max_attachment_bytes=1000)
    assert isinstance(mail, InboundMail)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_raise(raw: bytes) -> None:
    parse_inbound_mail(raw, max_attachment_bytes=100)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"Subject: =?utf-8?B?w6Q=?=\r\n",
                b"From: =?iso-8859-1?Q?M=FCller?= <m@x.example>\r\n",
                b"Content-Type: multipart/alternative; boundary=zz\r\n",
                b"Content-Type: text/html; charset=unicode-1-1-utf-7\r\n",
                b"Content-Transfer-Encoding: quoted-printable\r\n",
                b"Content-Transfer-Encoding: base64\r\n",
                b"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.txt\r\n",
                b"Auto-Submitted: auto-replied\r\n",
                b"\r\n",
                b"--zz\r\n",
                b"--zz--\r\n",
                b"<p>Hallo &uuml; <blockquote>x</p>\r\n",
                b"=C3=A4=\r\n",
                b"w6Q=\r\n",
                b"\xc3\xa4\xff\r\n",
            ]
        ),
        max_size=40,
    )
)
def test_mime_fragments_never_raise(lines: list[bytes]) -> None:
    parse_inbound_mail(b"".join(lines), max_attachment_bytes=100)


def test_classify_works_on_a_parsed_message(emails: Path) -> None:
    from email import message_from_bytes

    raw = (emails / "sisimai/rfc3834-03.eml").read_bytes()
    assert classify(message_from_bytes(raw, policy=default_policy)) is AutomaticKind.AUTO_REPLY


def test_html_without_body_tag_is_not_lost() -> None:
    assert html_to_text("<html><head><title>T</title><meta charset=utf-8>Hallo<p>Welt") == "Hallo\n\nWelt"


@pytest.mark.parametrize(
    "convert",
    [
        lambda: html_to_text("<![CDATA[" * 100_000),  # quadratic in Python 3.11's HTMLParser (~16 s)
        lambda: html_to_text("<a" * 300_000),
        lambda: latest_reply("On wrote " * 50_000),  # quadratic in the reply library's regexes
        lambda: latest_reply("x" + " " * 500_000 + "y"),
        lambda: strip_reply_prefixes("Re: " * 100_000),
        lambda: ticket_number_from_subject("[ticket" + " " * 100_000 + "x"),
    ],
)
def test_hostile_text_stays_fast(convert: Any) -> None:
    """A mail crafted to make a regex or parser quadratic must not eat the Lambda's time."""
    import time

    start = time.perf_counter()
    convert()
    assert time.perf_counter() - start < 8  # linear: well under a second; quadratic: minutes
