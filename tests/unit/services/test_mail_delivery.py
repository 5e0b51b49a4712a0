"""The mail job's use case with an in-memory outbox and transport: what it sends, settles and counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from shared.mail.transport import MailNotAccepted, OutgoingMail
from shared.services.mail.delivery import ALREADY_SENT, TAKEN, deliver_due_mails

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def stored(mail_id: str, recipient: str = "ada@kunde.example") -> Any:
    return SimpleNamespace(mail_id=mail_id, recipient=recipient, template="signup_verification", subject="Willkommen",
                           body_text="Hallo.", created_at=NOW, headers={"X-Loop": "cocoon"}, attachments=None)


@dataclass
class FakeOutbox:
    """Due mails in a dict; each settlement recorded by name. A mail leaves the queue when settled."""

    due: dict[str, Any] = field(default_factory=dict)
    refused_claims: dict[str, str] = field(default_factory=dict)  # mail id -> settle_unclaimed's answer
    stopped: set[str] = field(default_factory=set)
    writes: list[tuple[str, str]] = field(default_factory=list)
    sent_text: dict[str, tuple[str, str] | None] = field(default_factory=dict)

    def due_mails(self, now: datetime) -> list[Any]:
        return list(self.due.values())

    def claim_for_sending(self, mail: Any, now: datetime, wait: timedelta) -> bool:
        return mail.mail_id not in self.refused_claims

    def settle_unclaimed(self, mail: Any, now: datetime, wait: timedelta) -> str:
        self.due.pop(mail.mail_id)
        return self.refused_claims[mail.mail_id]

    def mail_stopped(self, recipient: str, template: str | None, now: datetime) -> bool:
        return recipient in self.stopped

    def mark_suppressed(self, mail: Any, now: datetime) -> None:
        self._settle("suppressed", mail)

    def mark_failed_attempt(
        self, mail: Any, now: datetime, *, maybe_accepted: bool = False, wait: timedelta = timedelta(0)
    ) -> None:
        self._settle("failed_maybe_accepted" if maybe_accepted else "failed", mail)

    def mark_sent(
        self, mail: Any, now: datetime, ses_message_id: str | None = None, sent: tuple[str, str] | None = None
    ) -> None:
        self.sent_text[mail.mail_id] = sent
        self._settle(f"sent:{ses_message_id}", mail)

    def _settle(self, what: str, mail: Any) -> None:
        self.writes.append((what, mail.mail_id))
        self.due.pop(mail.mail_id)


@dataclass
class FakeTransport:
    answers: dict[str, Exception] = field(default_factory=dict)
    sent: list[OutgoingMail] = field(default_factory=list)

    def send(self, mail: OutgoingMail, now: datetime) -> str:
        if mail.mail_id in self.answers:
            raise self.answers[mail.mail_id]
        self.sent.append(mail)
        return f"ses-{mail.mail_id}"


def test_a_due_mail_is_sent_as_a_plain_value_and_marked_sent_with_its_message_id() -> None:
    outbox = FakeOutbox(due={"m1": stored("m1")})
    transport = FakeTransport()
    result = deliver_due_mails(NOW, transport=transport, outbox=outbox)
    assert [(m.mail_id, m.recipient, m.subject, dict(m.headers)) for m in transport.sent] == [
        ("m1", "ada@kunde.example", "Willkommen", {"X-Loop": "cocoon"})
    ]
    assert outbox.writes == [("sent:ses-m1", "m1")]
    assert (result.done, result.failed, result.skipped) == (1, 0, 0)


def unrendered(mail_id: str, context: dict[str, Any], language: str = "de") -> Any:
    """A mail as composed since mails are rendered at sending: template, language, context, no text."""
    return SimpleNamespace(mail_id=mail_id, recipient="ada@kunde.example", template="hello", language=language,
                           context=context, subject_tag="2026050410001", subject=None, body_text=None,
                           created_at=NOW, headers={}, attachments=None)


@pytest.fixture
def hello_template(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from shared.mail.render import TEMPLATE_ROOT_ENV

    for language, greeting in (("de", "Hallo"), ("en", "Hello")):
        (tmp_path / language).mkdir()
        (tmp_path / language / "hello.txt").write_text(f"Subject: {greeting} {{{{ name }}}}\n\n{greeting} {{{{ name }}}}.\n",
                                                       encoding="utf-8")
    monkeypatch.setenv(TEMPLATE_ROOT_ENV, str(tmp_path))


def test_a_mail_is_rendered_when_it_is_sent_in_its_readers_language_and_kept_as_sent(hello_template: None) -> None:
    outbox = FakeOutbox(due={"m1": unrendered("m1", {"name": "Ada"})})
    transport = FakeTransport()
    deliver_due_mails(NOW, transport=transport, outbox=outbox)
    assert [(m.subject, m.body_text) for m in transport.sent] == [("Hallo Ada [Ticket#2026050410001]", "Hallo Ada.\n")]
    assert outbox.sent_text == {"m1": ("Hallo Ada [Ticket#2026050410001]", "Hallo Ada.\n")}


def test_a_mail_whose_context_no_longer_renders_is_a_failed_attempt_and_the_others_still_go(
    hello_template: None,
) -> None:
    # A template changed by a deploy after the mail was queued now asks for a value its context lacks.
    outbox = FakeOutbox(due={"m1": unrendered("m1", {}), "m2": unrendered("m2", {"name": "Bo"}, "en")})
    transport = FakeTransport()
    result = deliver_due_mails(NOW, transport=transport, outbox=outbox)
    assert [m.mail_id for m in transport.sent] == ["m2"]
    assert outbox.writes == [("failed", "m1"), ("sent:ses-m2", "m2")]
    assert (result.done, result.failed) == (1, 1)


def test_a_stopped_address_gets_nothing_and_its_mail_is_suppressed() -> None:
    outbox = FakeOutbox(due={"m1": stored("m1", "gone@kunde.example")}, stopped={"gone@kunde.example"})
    transport = FakeTransport()
    result = deliver_due_mails(NOW, transport=transport, outbox=outbox)
    assert transport.sent == []
    assert outbox.writes == [("suppressed", "m1")]
    assert result.details == {"suppressed": 1}


@pytest.mark.parametrize(
    ("error", "settled"),
    [(MailNotAccepted("Throttling"), "failed"), (TimeoutError("read timeout"), "failed_maybe_accepted")],
)
def test_a_refusal_retries_at_the_backoff_and_a_timeout_waits_for_the_send_event(error: Exception, settled: str) -> None:
    outbox = FakeOutbox(due={"m1": stored("m1")})
    result = deliver_due_mails(NOW, transport=FakeTransport(answers={"m1": error}), outbox=outbox)
    assert outbox.writes == [(settled, "m1")]
    assert (result.done, result.failed) == (0, 1)


def test_a_refused_claim_is_settled_not_sent() -> None:
    outbox = FakeOutbox(due={"m1": stored("m1"), "m2": stored("m2")}, refused_claims={"m1": ALREADY_SENT, "m2": TAKEN})
    transport = FakeTransport()
    result = deliver_due_mails(NOW, transport=transport, outbox=outbox)
    assert transport.sent == []
    assert result.details == {ALREADY_SENT: 1}
    assert result.skipped == 1
