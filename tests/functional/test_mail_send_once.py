"""Sending once: the mail sender killed anywhere between claim and mark never delivers a mail twice, nor loses one.

The stand-in SES below replaces the AWS service only (it takes mails, hands out MessageIds and
publishes each mail's Send event later, in any order); the outbox stays real DynamoDB Local and
the Send events go through the real parser and recorder. A crash is a BaseException, raised by
hooks wrapped around the real storage functions, so nothing of the job catches it: like a killed
Lambda, the run stops where it is and the next run (with time moved on) finds what it left.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from functions import mail_delivery
from shared.mail.local_events import ses_event_message
from shared.mail.transport import MailNotAccepted
from shared.rules.ses_events import mail_id_tag_value, parse_ses_event
from shared.services.mail.delivery import send_event_wait
from shared.storage import outbox
from shared.storage.mail_fate import record_mail_event
from shared.storage.models import OutboxMail
from tests.functional.helpers import MAIL_RUN_START, queue_mails

START = MAIL_RUN_START
MAILS_PER_RUN = 6
CRASH_POINTS = (
    "after claim",
    "before send",
    "inside the transport after SES accepted",
    "after send before mark",
    "during mark",
)


class Crash(BaseException):
    """The sender dies here (Lambda timeout, out of memory, a killed process): no except clause of ours sees it."""


def send_event(mail: OutboxMail, message_id: str, at: datetime) -> Any:
    """SES's Send event of a mail it took, as SES publishes it (tag `mail_id`), through our parser."""
    event = parse_ses_event(
        ses_event_message("Send", str(mail_id_tag_value(mail.mail_id)), message_id, mail.recipient, "no-reply@cocoon.example", at)
    )
    assert event is not None and event.kind == "send"
    return event


class StandInSes:
    """Takes mails like SES: counts deliveries, answers a MessageId, publishes the Send event after a delay."""

    def __init__(self, rng: random.Random, max_event_delay: timedelta = timedelta(minutes=9, seconds=30)) -> None:
        self.rng = rng
        self.max_event_delay = max_event_delay
        self.deliveries: Counter[str] = Counter()
        self.pending: list[tuple[datetime, Any]] = []
        self.crash_before_send = False
        self.crash_after_accepting = False
        self.lose_events = False

    def send(self, mail: OutboxMail, now: datetime) -> str:
        if self.crash_before_send:
            self.crash_before_send = False
            raise Crash("before send")
        message_id = f"0100{uuid4().hex}-000000"
        self.deliveries[mail.mail_id] += 1
        event = send_event(mail, message_id, now)
        if self.lose_events:
            pass
        elif self.rng.random() < 0.3:
            record_mail_event(event, now)  # published before SendEmail has even answered
        else:
            delay = timedelta(seconds=self.rng.randint(0, int(self.max_event_delay.total_seconds())))
            self.pending.append((now + delay, event))
        if self.crash_after_accepting:
            self.crash_after_accepting = False
            raise Crash("inside the transport after SES accepted")
        return message_id

    def publish_due(self, now: datetime) -> None:
        """SNS hands over the events whose delay has passed, in any order."""
        due = [item for item in self.pending if item[0] <= now]
        self.pending = [item for item in self.pending if item[0] > now]
        self.rng.shuffle(due)
        for _, event in due:
            record_mail_event(event, now)


class CrashPlan:
    """Arms one crash point at a time; the wrapped storage functions and the stand-in SES fire it once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, ses: StandInSes) -> None:
        self.ses = ses
        self.armed: str | None = None
        self.fired: Counter[str] = Counter()
        real_claim, real_mark = outbox.claim_for_sending, outbox.mark_sent

        def claim(mail: OutboxMail, now: datetime, wait: timedelta) -> bool:
            claimed = real_claim(mail, now, wait)
            if claimed and self._fire("after claim"):
                raise Crash("after claim")
            return claimed

        def mark(
            mail: OutboxMail, now: datetime, ses_message_id: str | None = None, sent: tuple[str, str] | None = None
        ) -> None:
            if self._fire("after send before mark"):
                raise Crash("after send before mark")
            real_mark(mail, now, ses_message_id, sent)
            if self._fire("during mark"):  # the write was applied, its answer never came back
                raise Crash("during mark")

        monkeypatch.setattr(outbox, "claim_for_sending", claim)
        monkeypatch.setattr(outbox, "mark_sent", mark)

    def arm(self, point: str | None) -> None:
        self.armed = point
        self.ses.crash_before_send = point == "before send"
        self.ses.crash_after_accepting = point == "inside the transport after SES accepted"

    def _fire(self, point: str) -> bool:
        if self.armed != point:
            return False
        self.armed = None
        self.fired[point] += 1
        return True

    def note_transport_crash(self, crash: Crash) -> None:
        if str(crash) in ("before send", "inside the transport after SES accepted"):
            self.fired[str(crash)] += 1


def still_queued(mail_ids: list[str]) -> list[str]:
    return [m for m in mail_ids if OutboxMail.get(f"ACCOUNT#{m.removeprefix('verify-')}", f"MAIL#{m}").due_job]


def run_until_settled(ses: StandInSes, plan: CrashPlan | None, mail_ids: list[str], rng: random.Random,
                      crashes: int) -> tuple[int, Counter[str]]:
    """Run the job again and again, time moving on 1-4 minutes, crashing it at random points `crashes` times."""
    now, outcomes = START, Counter[str]()
    for round_number in range(200):
        ses.publish_due(now)
        if plan is not None:
            plan.arm(rng.choice(CRASH_POINTS) if round_number < crashes and rng.random() < 0.8 else None)
        try:
            result = mail_delivery.run(now, transport=ses)
            outcomes.update(result.details)
        except Crash as crash:
            if plan is not None:
                plan.note_transport_crash(crash)
        if plan is not None:
            plan.arm(None)
        if not still_queued(mail_ids) and not ses.pending:
            return round_number, outcomes
        now += timedelta(minutes=rng.randint(1, 4))
    raise AssertionError(f"not settled after 200 runs: {still_queued(mail_ids)}")


@pytest.mark.parametrize("seed", range(24))
def test_a_sender_killed_anywhere_between_claim_and_mark_delivers_every_mail_exactly_once(db, monkeypatch, seed):
    rng = random.Random(seed)
    ses = StandInSes(rng)
    plan = CrashPlan(monkeypatch, ses)
    mail_ids = queue_mails(MAILS_PER_RUN, START)
    # Every run crashes at its own point first (each point in at least 4 of the 24 runs), then at random ones.
    plan.arm(CRASH_POINTS[seed % len(CRASH_POINTS)])
    try:
        mail_delivery.run(START, transport=ses)
    except Crash as crash:
        plan.note_transport_crash(crash)
    assert sum(plan.fired.values()) == 1, "the run's own crash point did not fire"

    run_until_settled(ses, plan, mail_ids, rng, crashes=12)

    duplicates = {m: n for m, n in ses.deliveries.items() if n > 1}
    losses = [m for m in mail_ids if ses.deliveries[m] == 0]
    assert duplicates == {} and losses == [], (duplicates, losses, dict(plan.fired))
    for mail_id in mail_ids:  # SES's MessageId is on every mail, and the mail is marked sent
        mail = OutboxMail.get(f"ACCOUNT#{mail_id.removeprefix('verify-')}", f"MAIL#{mail_id}")
        assert mail.sent_at is not None and mail.ses_message_id and mail.ses_message_id.startswith("0100")


def test_a_crash_after_ses_accepted_waits_for_the_send_event_and_never_resends(db, monkeypatch):
    """The retry finds an attempt that started and no mark: it waits (not sends), and the late event settles it."""
    ses = StandInSes(random.Random(1), max_event_delay=timedelta(0))
    ses.lose_events = True  # the event is held back by hand below
    (mail_id,) = queue_mails(1, START)
    ses.crash_after_accepting = True
    with pytest.raises(Crash):
        mail_delivery.run(START, transport=ses)
    assert ses.deliveries[mail_id] == 1

    later = START + timedelta(minutes=6)  # the claim (5 minutes) has run out, the window (10) has not
    result = mail_delivery.run(later, transport=ses)
    assert result.details == {"awaiting_send_event": 1} and ses.deliveries[mail_id] == 1
    mail = OutboxMail.get(f"ACCOUNT#{mail_id.removeprefix('verify-')}", f"MAIL#{mail_id}")
    assert mail.due_at == "2026-05-04T08:10:00Z" and mail.sent_at is None  # back when the window ends

    record_mail_event(send_event(mail, "0100late-000000", START + timedelta(minutes=8)), START + timedelta(minutes=8))
    result = mail_delivery.run(START + timedelta(minutes=10), transport=ses)
    assert result.details == {"already_sent": 1} and result.done == 0
    assert ses.deliveries[mail_id] == 1
    assert still_queued([mail_id]) == []


def test_without_a_send_event_within_the_window_the_mail_is_sent_again(db):
    """The documented residual risk, and the reason the window exists: a crash before SES took the mail
    (or an event lost beyond the window) sends once more after `mail.send_event_wait_minutes`, never earlier."""
    ses = StandInSes(random.Random(2))
    ses.lose_events = True
    (mail_id,) = queue_mails(1, START)
    ses.crash_before_send = True
    with pytest.raises(Crash):
        mail_delivery.run(START, transport=ses)
    assert ses.deliveries[mail_id] == 0
    assert mail_delivery.run(START + timedelta(minutes=9, seconds=59), transport=ses).done == 0
    assert ses.deliveries[mail_id] == 0
    assert mail_delivery.run(START + timedelta(minutes=10), transport=ses).done == 1
    assert ses.deliveries[mail_id] == 1  # not lost


class FailingSes:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def send(self, mail: OutboxMail, now: datetime) -> str:
        self.calls += 1
        raise self.error


def test_a_refused_mail_retries_at_the_backoff_and_a_timed_out_one_waits_for_its_send_event(db):
    refused_id, timed_out_id = queue_mails(2, START)
    refusing, timing_out = FailingSes(MailNotAccepted("Throttling")), FailingSes(TimeoutError("read timeout"))

    def one(mail_id: str, transport: Any, now: datetime) -> None:
        mail = OutboxMail.get(f"ACCOUNT#{mail_id.removeprefix('verify-')}", f"MAIL#{mail_id}")
        assert outbox.claim_for_sending(mail, now, send_event_wait())
        try:
            transport.send(mail, now)
        except MailNotAccepted:
            outbox.mark_failed_attempt(mail, now)
        except Exception:
            outbox.mark_failed_attempt(mail, now, maybe_accepted=True, wait=send_event_wait())

    one(refused_id, refusing, START)
    one(timed_out_id, timing_out, START)
    refused = OutboxMail.get(f"ACCOUNT#{refused_id.removeprefix('verify-')}", f"MAIL#{refused_id}")
    timed_out = OutboxMail.get(f"ACCOUNT#{timed_out_id.removeprefix('verify-')}", f"MAIL#{timed_out_id}")
    assert refused.due_at == "2026-05-04T08:02:00Z" and refused.send_started_at is None  # 2 minutes' backoff
    assert timed_out.due_at == "2026-05-04T08:10:00Z" and timed_out.send_started_at == START  # the window


def _stubbed_ses() -> tuple[Any, Any]:
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("sesv2", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def _one_mail() -> OutboxMail:
    return OutboxMail("ACCOUNT#a1", "MAIL#verify-a1", mail_id="verify-a1", recipient="ada@kunde.example",
                      subject="Hello", body_text="Hi", headers={}, created_at=START)


def test_ses_transport_passes_back_the_message_id_ses_answered_and_tags_the_mail_with_our_id():
    from botocore.stub import ANY

    from shared.mail.transport import SesTransport

    client, stubber = _stubbed_ses()
    stubber.add_response(
        "send_email",
        {"MessageId": "010701234567890a-11111111-2222-3333-4444-555555555555-000000"},
        {"Content": ANY, "EmailTags": [{"Name": "mail_id", "Value": "verify-a1"}]},
    )
    with stubber:
        message_id = SesTransport(client, "no-reply@cocoon.example").send(_one_mail(), START)
    assert message_id == "010701234567890a-11111111-2222-3333-4444-555555555555-000000"
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(("status", "refused"), [(400, True), (429, True), (500, False), (503, False)])
def test_ses_transport_tells_a_refusal_from_an_error_that_may_hide_an_accepted_mail(status, refused):
    from botocore.exceptions import ClientError

    from shared.mail.transport import SesTransport

    client, stubber = _stubbed_ses()
    stubber.add_client_error("send_email", service_error_code="MessageRejected", http_status_code=status)
    with stubber, pytest.raises(ClientError if not refused else MailNotAccepted) as raised:
        SesTransport(client, "no-reply@cocoon.example").send(_one_mail(), START)
    assert isinstance(raised.value, MailNotAccepted) is refused


def test_the_ses_client_does_not_retry_send_email_by_itself(monkeypatch):
    """A botocore retry after a read timeout would hand SES the same mail a second time, behind our back."""
    import dataclasses

    from shared.mail import transport
    from shared.settings import get_settings

    monkeypatch.setattr(transport, "get_settings", lambda: dataclasses.replace(get_settings(), mail_via_ses=True, ses_configuration_set="cocoon-test-mail"))
    transport.default_transport.cache_clear()
    try:
        ses = transport.default_transport()
        assert isinstance(ses, transport.SesTransport)
        assert ses.client.meta.config.retries["total_max_attempts"] == 1
    finally:
        transport.default_transport.cache_clear()


def test_the_eml_transport_records_the_send_and_delivery_events_ses_would_publish(db, outbox_dir):
    """`make run` has no SES: the .eml transport's events go through the same parser and recorder."""
    (mail_id,) = queue_mails(1, START)
    assert mail_delivery.run(START).done == 1
    mail = OutboxMail.get(f"ACCOUNT#{mail_id.removeprefix('verify-')}", f"MAIL#{mail_id}")
    assert (outbox_dir / f"{mail_id}.eml").exists()
    assert mail.ses_message_id and mail.ses_message_id.startswith("local-")
    assert mail.send_event_at == START and mail.fate == "delivered"


def test_a_retry_of_a_locally_delivered_mail_finds_its_send_event_and_writes_nothing_again(db, outbox_dir, monkeypatch):
    """Locally too, a sender killed before its mark leaves a mail that the next run settles without resending."""
    real_mark = outbox.mark_sent

    def crash_before_mark(mail: OutboxMail, now: datetime, ses_message_id: str | None = None, sent: object = None) -> None:
        raise Crash("after send before mark")

    (mail_id,) = queue_mails(1, START)
    monkeypatch.setattr(outbox, "mark_sent", crash_before_mark)
    with pytest.raises(Crash):
        mail_delivery.run(START)
    monkeypatch.setattr(outbox, "mark_sent", real_mark)
    written = (outbox_dir / f"{mail_id}.eml").stat().st_mtime_ns
    result = mail_delivery.run(START + timedelta(minutes=6))
    assert result.details == {"already_sent": 1} and result.done == 0
    assert (outbox_dir / f"{mail_id}.eml").stat().st_mtime_ns == written
