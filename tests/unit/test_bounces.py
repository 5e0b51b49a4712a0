"""Which addresses a bounce may stop: real bounces of the shared corpus and hand-built reports."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from shared.mail.inbound.parse import parse_inbound_mail
from shared.mail.inbound.values import FailedDelivery, InboundMail
from shared.rules.bounces import addresses_stopped_by_bounce, is_address_failure, status_code, suppression_reason

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def parse(path: Path) -> InboundMail:
    return parse_inbound_mail(path.read_bytes(), max_attachment_bytes=MAX_ATTACHMENT_BYTES)


def always(message_id: str, address: str) -> bool:
    return True


@pytest.mark.parametrize(("status", "code", "address_failure"), [
    ("5.1.1", "5.1.1", True),
    (" 5.1.10 (host/domain does not accept mail)", "5.1.10", True),
    ("5.1.2", "5.1.2", True),
    ("5.01.001", "5.1.1", True),
    ("5.1.8", "5.1.8", False),  # the sender's address, not the recipient's
    ("5.2.1", "5.2.1", False),  # suspended as often as closed
    ("5.2.2", "5.2.2", False),  # mailbox full
    ("5.7.1", "5.7.1", False),  # policy
    ("5.0.0", "5.0.0", False),
    ("4.1.1", "4.1.1", False),
    ("5.1.11", "5.1.11", False),
    ("5.1.100", "5.1.100", False),
    ("5.1.1000", None, False),  # RFC 3463: at most three digits
    ("", None, False),
    ("failed", None, False),
])
def test_status_codes(status: str, code: str | None, address_failure: bool) -> None:
    assert status_code(status) == code
    assert is_address_failure(status) is address_failure


def test_no_bounce_of_the_corpus_stops_an_address_a_bounce_library_calls_soft(testdata_dir: Path) -> None:
    """sisimai's verdicts on 40 real bounces: the guard lets through only reports that have a hard bounce."""
    folder = testdata_dir / "bounces"
    expected = json.loads((folder / "expected.json").read_text())
    stopped: list[str] = []
    for name, rows in expected.items():
        mail = parse(folder / name)
        hard = sum(row["hardbounce"] for row in rows)
        addresses = addresses_stopped_by_bounce(mail, always)
        assert len(addresses) <= hard, (name, addresses)
        stopped += [name] * len(addresses)
    # The other hard ones return no Message-ID (bigfoot, ezweb-07, postfix-02) or are a person's forward.
    assert sorted(stopped) == [
        "lhost-dragonfly-11.eml", "lhost-dragonfly-26.eml", "lhost-exchange2003-03.eml", "lhost-exim-59.eml",
        "lhost-exim-61.eml", "lhost-gmx-03.eml", "lhost-imailserver-03.eml", "lhost-mailru-06.eml",
        "lhost-messagingserver-09.eml", "lhost-messagingserver-10.eml", "lhost-notes-02.eml", "rhost-apple-04.eml",
    ]


def test_a_real_address_failure_stops_only_what_our_signature_names(testdata_dir: Path) -> None:
    mail = parse(testdata_dir / "bounces/rhost-apple-04.eml")
    [returned] = mail.returned_message_ids
    [failure] = addresses_stopped_by_bounce(mail, always)
    assert (failure.address, failure.verdict.code) == ("pseudo-local-part-of-icloud@icloud.com", "5.1.1")
    assert suppression_reason(failure) == "hard bounce 5.1.1"
    assert addresses_stopped_by_bounce(mail, lambda mid, address: False) == ()
    asked: list[tuple[str, str]] = []
    addresses_stopped_by_bounce(mail, lambda mid, address: asked.append((mid, address)) is None)
    assert asked == [(returned, failure.address)]


def test_a_report_that_returns_several_messages_or_none_stops_nothing(testdata_dir: Path) -> None:
    mail = parse(testdata_dir / "bounces/rhost-apple-04.eml")
    assert mail.returned_message_count == 1
    assert addresses_stopped_by_bounce(replace(mail, returned_message_count=2), always) == ()
    assert addresses_stopped_by_bounce(replace(mail, returned_message_ids=()), always) == ()
    assert addresses_stopped_by_bounce(replace(mail, returned_message_ids=("a@x", "b@x")), always) == ()


def _report(returned_parts: int) -> bytes:
    parts = "".join(
        f"--r\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <ours.{i}@cocoon.example>\r\nSubject: x\r\n\r\nhi\r\n"
        for i in range(returned_parts)
    )
    return (
        b"From: MAILER-DAEMON@mx.example\r\nSubject: failure\r\nMIME-Version: 1.0\r\n"
        b"X-Failed-Recipients: header-only@customer.example\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        b"Final-Recipient: rfc822; Gone@Customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"Final-Recipient: rfc822; full@customer.example\r\nAction: failed\r\nStatus: 5.2.2\r\n\r\n"
        b"Final-Recipient: rfc822; later@customer.example\r\nAction: delayed\r\nStatus: 5.1.1\r\n\r\n"
        + parts.encode() + b"--r--\r\n"
    )


def test_the_parser_counts_returned_messages_and_keeps_each_failures_status() -> None:
    one = parse_inbound_mail(_report(1), max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    assert one.failed_deliveries == (
        FailedDelivery("gone@customer.example", "5.1.1"),
        FailedDelivery("full@customer.example", "5.2.2"),
    )
    assert one.returned_message_count == 1
    assert [f.address for f in addresses_stopped_by_bounce(one, always)] == ["gone@customer.example"]

    many = parse_inbound_mail(_report(3), max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    assert many.returned_message_count == 3 and len(many.returned_message_ids) == 3
    assert addresses_stopped_by_bounce(many, always) == ()


def test_a_persons_mail_is_no_report() -> None:
    raw = b"From: erika@beispiel.example\r\nSubject: Hi\r\nContent-Type: message/rfc822\r\n\r\nMessage-ID: <a@b>\r\n\r\nx\r\n"
    mail = parse_inbound_mail(raw, max_attachment_bytes=MAX_ATTACHMENT_BYTES)
    assert mail.automatic is None and mail.returned_message_count == 0 and mail.failed_deliveries == ()
