"""Sending once and the local event path: attempts to get a mail delivered twice, or a local-only way
of feeding events trusted where it must not be. Each test is the attempt and the expected refusal.

Imports of what the attempt targets sit inside the tests, so each attempt fails on its own against
code that lacks the defence.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


class Killed(BaseException):
    """The sender dies (Lambda timeout): nothing of the job catches it."""


class AcceptingSes:
    """SES takes the mail; optionally the sender dies right after SES answered."""

    def __init__(self) -> None:
        self.deliveries: Counter[str] = Counter()
        self.die_after_accepting = False

    def send(self, mail: Any, now: datetime | None = None) -> str:
        self.deliveries[mail.mail_id] += 1
        if self.die_after_accepting:
            self.die_after_accepting = False
            raise Killed("after SES accepted")
        return f"0100{uuid4().hex}-000000"


class TimingOutSes:
    """SES took the mail, but its answer never came back (a read timeout)."""

    def __init__(self) -> None:
        self.deliveries: Counter[str] = Counter()

    def send(self, mail: Any, now: datetime | None = None) -> str:
        self.deliveries[mail.mail_id] += 1
        raise TimeoutError("read timeout")


def _queue_one(now: datetime) -> str:
    from shared.mail.compose import compose_mail
    from shared.storage import outbox

    account_id = uuid4().hex[:12]
    mail = outbox.outbox_mail(compose_mail(
        mail_id=f"verify-{account_id}",
        account_id=account_id,
        recipient=f"admin-{account_id}@kunde.example",
        template="signup_verification",
        language="en",
        context={"company_name": "Kunde GmbH", "admin_name": "Ada", "trial_days": 30,
                 "verification_url": "http://localhost/v", "valid_until": "2026-05-06", "unverified_days": 7},
        now=now,
    ))
    outbox.commit_with_mails(lambda tx: None, [mail], now)
    return mail.mail_id


def test_killing_the_sender_after_ses_accepted_does_not_get_the_mail_sent_again_when_its_claim_runs_out(db):
    from functions import mail_delivery

    ses = AcceptingSes()
    mail_id = _queue_one(START)
    ses.die_after_accepting = True
    with pytest.raises(Killed):
        mail_delivery.run(START, transport=ses)
    for minutes in (6, 8, 9):  # the 5-minute claim has run out; SES's Send event is on its way
        mail_delivery.run(START + timedelta(minutes=minutes), transport=ses)
    assert ses.deliveries[mail_id] == 1


def test_a_timeout_that_hid_an_accepted_mail_does_not_get_it_resent_at_the_two_minute_backoff(db):
    from functions import mail_delivery

    ses = TimingOutSes()
    mail_id = _queue_one(START)
    mail_delivery.run(START, transport=ses)
    mail_delivery.run(START + timedelta(minutes=2), transport=ses)
    mail_delivery.run(START + timedelta(minutes=5), transport=ses)
    assert ses.deliveries[mail_id] == 1  # the retry waits for the first attempt's Send event


def test_the_ses_client_cannot_send_a_mail_twice_behind_our_back_by_retrying_a_timed_out_call(monkeypatch):
    from shared.mail import transport
    from shared.settings import get_settings

    monkeypatch.setattr(transport, "get_settings", lambda: dataclasses.replace(get_settings(), mail_via_ses=True, ses_configuration_set="cocoon-test-mail"))
    transport.default_transport.cache_clear()
    try:
        client = transport.default_transport().client  # type: ignore[attr-defined]
    finally:
        transport.default_transport.cache_clear()
    assert client.meta.config.retries.get("total_max_attempts") == 1


def test_deliver_event_is_refused_in_a_deployed_stage(db, tmp_path, monkeypatch):
    from functions.cli import main
    from shared import settings

    event = tmp_path / "bounce.json"
    event.write_text(json.dumps({"notificationType": "Bounce", "mail": {"messageId": "x"}}))
    prod = dataclasses.replace(settings.get_settings(), stage="prod")
    monkeypatch.setattr(settings, "get_settings", lambda: prod)
    with pytest.raises(SystemExit, match="only allowed in the local and test stages"):
        main(["deliver-event", "inbound_email_from_ses", str(event)])


def test_the_local_sns_key_is_no_certificate_source_in_a_deployed_stage(monkeypatch):
    from infra import local_invoke
    from shared import settings, sns_certificates
    from shared.local_sns import LocalSns

    real = sns_certificates.fetch_certificate
    prod = dataclasses.replace(settings.get_settings(), stage="prod")
    monkeypatch.setattr(settings, "get_settings", lambda: prod)
    with pytest.raises(local_invoke.EventFileError), local_invoke.playing_sns(LocalSns()):
        pass
    assert sns_certificates.fetch_certificate is real


def test_a_message_signed_with_anyone_elses_local_key_is_refused_while_the_command_plays_sns(db):
    from infra import local_invoke
    from shared import sns_certificates
    from shared.local_sns import LocalSns
    from shared.rules.sns_signature import ForgedSnsMessage, verify_sns_message

    topic = local_invoke.local_topic_arn("cocoon-mail-events")
    forged = LocalSns().envelope(json.dumps({"eventType": "Bounce"}), topic)  # the attacker's own key
    with local_invoke.playing_sns(LocalSns()), pytest.raises(ForgedSnsMessage):
        verify_sns_message(forged, topic_arn=topic, certificate=sns_certificates.fetch_certificate)


def test_the_command_leaves_no_trust_in_its_key_behind(db, testdata_dir):
    """After deliver-event, the process's certificate source is AWS's again, not the command's key."""
    from infra import local_invoke
    from shared import sns_certificates

    aws_source = sns_certificates.fetch_certificate
    text = (testdata_dir / "ses_notifications" / "amazonses-01.json").read_text()
    local_invoke.deliver_event_file("inbound_email_from_ses", text)
    assert sns_certificates.fetch_certificate is aws_source
    # and a handler that dies mid-way leaves none behind either
    with pytest.raises(Killed), local_invoke.playing_sns(_DyingSigner()):
        raise Killed("handler died")
    assert sns_certificates.fetch_certificate is aws_source


class _DyingSigner:
    def certificate(self, url: str) -> bytes:
        raise ValueError("not used")
