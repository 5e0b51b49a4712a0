"""The SES event boundary, as an attacker would try it: make us stop mailing a customer (no invoices, no
deletion notices) or rewrite a mail's fate, through the SNS handlers. Each attempt must change nothing.

Every attempt goes through app.py's declared handlers, as Lambda would call them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.local_sns import LocalSns
from shared.rules.sns_signature import ForgedSnsMessage
from shared.storage.models import CocoonItem, SuppressedAddress
from tests.functional.helpers import (
    ADDRESS,
    bounce,
    complaint,
    fate_of,
    post_json,
    sent_mail,
    ses_event,
    signed_sns_event,
)

VICTIM = ADDRESS


def _snapshot() -> list[str]:
    return sorted(f"{item.pk}|{item.sk}|{sorted(item.attribute_values.items())}" for item in CocoonItem.scan())


def _suppressions() -> list[SuppressedAddress]:
    return [item for item in CocoonItem.scan() if isinstance(item, SuppressedAddress)]


def _deliver(event: dict[str, Any]) -> None:
    import app as app_module

    app_module.mail_events_from_ses(event, None)


def _mail_events_topic() -> str:
    from shared.settings import get_settings

    arn = get_settings().mail_events_topic_arn
    assert arn
    return arn


def _signed_by(signer: LocalSns, message: str, topic: str, cert_url: str | None = None) -> dict[str, Any]:
    event = signer.lambda_event(message, topic)
    if cert_url:
        event["Records"][0]["Sns"]["SigningCertUrl"] = cert_url
    return event


def test_a_bounce_signed_with_the_attackers_own_key_is_refused(db: str, sns_signed_locally: LocalSns) -> None:
    sent_mail("invoice-2026-000001")
    before = _snapshot()
    attacker = LocalSns()
    # The attacker's signature, but AWS's certificate URL (the only kind we fetch): it cannot verify.
    forged = _signed_by(attacker, bounce("invoice-2026-000001"), _mail_events_topic(),
                        sns_signed_locally.certificate_url(_mail_events_topic()))
    with pytest.raises(ForgedSnsMessage):
        _deliver(forged)
    assert _snapshot() == before and _suppressions() == []


def test_a_real_signature_edited_afterwards_is_refused(db: str) -> None:
    sent_mail("invoice-2026-000001")
    event = signed_sns_event({"Records": [{"Sns": {"Message": ses_event("Delivery", "invoice-2026-000001",
                                                                        recipients=[VICTIM])}}]}, "mail_events")
    event["Records"][0]["Sns"]["Message"] = bounce("invoice-2026-000001")  # swap in a bounce, keep the signature
    before = _snapshot()
    with pytest.raises(ForgedSnsMessage):
        _deliver(event)
    assert _snapshot() == before


def test_an_unsigned_message_is_refused(db: str, testdata_dir: Any) -> None:
    sent_mail("invoice-2026-000001")
    before = _snapshot()
    event = {"Records": [{"Sns": {"Type": "Notification", "MessageId": "x", "TopicArn": _mail_events_topic(),
                                  "Message": bounce("invoice-2026-000001"), "Timestamp": "2026-11-23T10:00:00Z",
                                  "Subject": None, "MessageAttributes": {}}}]}
    with pytest.raises(ForgedSnsMessage):
        _deliver(event)
    # The testdata's SNS body as it is: AWS's signature, but for someone else's topic.
    envelope = json.loads((testdata_dir / "ses_notifications/amazonses-02.json").read_text())
    with pytest.raises(ForgedSnsMessage):
        _deliver({"Records": [{"Sns": {"Subject": None, **envelope, "MessageAttributes": {}}}]})
    assert _snapshot() == before


def test_a_message_validly_signed_for_a_foreign_topic_is_refused(db: str, sns_signed_locally: LocalSns) -> None:
    sent_mail("invoice-2026-000001")
    before = _snapshot()
    foreign = "arn:aws:sns:eu-central-1:999999999999:attackers-topic"
    with pytest.raises(ForgedSnsMessage, match="not from our topic"):
        _deliver(_signed_by(sns_signed_locally, bounce("invoice-2026-000001"), foreign))
    assert _snapshot() == before and _suppressions() == []


@pytest.mark.parametrize("cert_url", [
    "https://attacker.example/SimpleNotificationService-local.pem",
    "https://sns.eu-central-1.amazonaws.com.attacker.example/SimpleNotificationService-local.pem",
    "http://sns.eu-central-1.amazonaws.com/SimpleNotificationService-local.pem",
])
def test_a_certificate_url_off_aws_sns_is_refused_and_never_fetched(
    db: str, monkeypatch: pytest.MonkeyPatch, cert_url: str,
) -> None:
    from shared import sns_certificates

    attacker = LocalSns()
    fetched: list[str] = []

    def fetch(url: str) -> bytes:  # would hand out the attacker's certificate, if ever asked
        fetched.append(url)
        return attacker.pem

    monkeypatch.setattr(sns_certificates, "fetch_certificate", fetch)
    sent_mail("invoice-2026-000001")
    before = _snapshot()
    with pytest.raises(ForgedSnsMessage, match="certificate URL"):
        _deliver(_signed_by(attacker, bounce("invoice-2026-000001"), _mail_events_topic(), cert_url))
    assert fetched == [] and _snapshot() == before


def test_a_bounce_for_a_mail_we_do_not_know_stops_nothing(db: str) -> None:
    sent_mail("invoice-2026-000001")
    before = _snapshot()
    for mail_id in ("invoice-2026-999999", None):
        _deliver(signed_sns_event({"Records": [{"Sns": {"Message": bounce(mail_id)}}]}, "mail_events"))  # type: ignore[arg-type]
    assert _snapshot() == before and _suppressions() == []


def test_a_bounce_of_our_mail_cannot_name_another_address(db: str) -> None:
    """SES's event for our mail lists a victim's address as bounced: only the mail's own recipient could be."""
    sent_mail("ticket-ack-1", recipient="attacker@evil.example")
    _deliver(signed_sns_event({"Records": [{"Sns": {"Message": bounce("ticket-ack-1")}}]}, "mail_events"))
    assert _suppressions() == []
    assert fate_of("ticket-ack-1").fate == "bounced"


@pytest.mark.parametrize("subtype", ["General", "MailboxFull", "MessageTooLarge", "ContentRejected"])
def test_a_transient_bounce_never_suppresses(db: str, subtype: str) -> None:
    sent_mail("invoice-2026-000001")
    _deliver(signed_sns_event({"Records": [{"Sns": {"Message": bounce("invoice-2026-000001", "Transient",
                                                                      subtype)}}]}, "mail_events"))
    _deliver(signed_sns_event({"Records": [{"Sns": {"Message": bounce("invoice-2026-000001", "Undetermined",
                                                                      "Undetermined")}}]}, "mail_events"))
    assert _suppressions() == []


def test_replayed_events_change_nothing_twice_not_even_after_staff_lifted_the_stop(
    client: Any, db: str, capsys: Any,
) -> None:
    from functions.cli import main as cocoon

    sent_mail("invoice-2026-000001")
    sent_mail("ticket-ack-1")
    bounced = signed_sns_event({"Records": [{"Sns": {"Message": bounce("invoice-2026-000001")}}]}, "mail_events")
    complained = signed_sns_event({"Records": [{"Sns": {"Message": complaint("ticket-ack-1")}}]}, "mail_events")
    _deliver(bounced)
    _deliver(complained)
    history = [len(fate_of(m).fate_history) for m in ("invoice-2026-000001", "ticket-ack-1")]
    assert history == [1, 1]

    assert cocoon(["staff", "add", "Alex Agent", "alex@cocoon.example", "--role", "agent"]) == 0
    agent = {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}"}
    assert post_json(client, "/staff/suppressions/lift", {"email": VICTIM}, agent).status_code == 200
    before = _snapshot()
    for _ in range(3):  # the same signed messages, again and again (a replay, or SNS's redelivery)
        _deliver(bounced)
        _deliver(complained)
    assert _snapshot() == before and _suppressions() == []


def test_a_forged_ses_receipt_notification_opens_no_ticket(client: Any, db: str, testdata_dir: Any) -> None:
    """The inbound consumer verifies the same signature: an unsigned 'mail from the customer' does nothing."""
    import app as app_module

    event = json.loads((testdata_dir / "aws_events/composed/snsEvent_with_ses_received_notification.json").read_text())
    before = _snapshot()
    with pytest.raises(ForgedSnsMessage):
        app_module.inbound_email_from_ses(event, None)
    assert _snapshot() == before


def test_a_deployed_stage_without_our_topic_refuses_every_message() -> None:
    from functions.mail_events import verified_sns_message
    from shared.local_sns import local_sns

    envelope = json.dumps(local_sns().envelope("m", "arn:aws:sns:eu-central-1:123456789012:cocoon-mail-events"))
    with pytest.raises(ForgedSnsMessage, match="names no topic"):
        verified_sns_message(envelope, None, local_sns().certificate)


def test_an_unknown_or_malformed_event_is_acknowledged_without_effect(db: str) -> None:
    sent_mail("invoice-2026-000001")
    before = _snapshot()
    for message in ("{", json.dumps({"eventType": "Open", "mail": {"messageId": "x", "tags": {
            "mail_id": ["invoice-2026-000001"]}}}), json.dumps({"eventType": "Bounce", "mail": {
            "messageId": "x", "tags": {"mail_id": ["invoice-2026-000001"]}}, "bounce": {"bounceType": "Permanent"}})):
        _deliver(signed_sns_event({"Records": [{"Sns": {"Message": message}}]}, "mail_events"))
    assert _snapshot() == before


def test_a_send_event_of_another_ses_message_does_not_replace_the_first(db: str) -> None:
    """The send-once check trusts ses_message_id: a second send event (a second copy) must not overwrite it."""
    sent_mail("invoice-2026-000001")
    first = ses_event("Send", "invoice-2026-000001", at="2026-11-23T10:00:01.000Z")
    second = json.loads(ses_event("Send", "invoice-2026-000001", at="2026-11-23T10:09:01.000Z"))
    second["mail"]["messageId"] = "0102-second-copy"
    for message in (first, json.dumps(second)):
        _deliver(signed_sns_event({"Records": [{"Sns": {"Message": message}}]}, "mail_events"))
    mail = fate_of("invoice-2026-000001")
    assert mail.ses_message_id == "0102-invoice-2026-000001"
    assert mail.send_event_at == datetime(2026, 11, 23, 10, 0, 1, tzinfo=UTC)
