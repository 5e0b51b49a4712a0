"""SNS message signatures (versions 1 and 2), checked as AWS describes: pure, with the certificate injected."""

from __future__ import annotations

import json

import pytest

from shared.local_sns import LocalSns, local_sns
from shared.rules.sns_signature import ForgedSnsMessage, certificate_url, signed_text, verify_sns_message

TOPIC = "arn:aws:sns:eu-central-1:123456789012:cocoon-mail-events"


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_message_signed_for_our_topic_verifies(version: str) -> None:
    signer = local_sns()
    envelope = signer.envelope('{"eventType": "Send"}', TOPIC, version=version, subject="hello")
    assert verify_sns_message(envelope, topic_arn=TOPIC, certificate=signer.certificate) == '{"eventType": "Send"}'


def test_the_http_spelling_of_the_certificate_url_is_read_too() -> None:
    signer = local_sns()
    envelope = signer.envelope("m", TOPIC)
    envelope["SigningCertURL"] = envelope.pop("SigningCertUrl")
    assert verify_sns_message(envelope, topic_arn=TOPIC, certificate=signer.certificate) == "m"


@pytest.mark.parametrize(("field", "value"), [
    ("Message", "another message"), ("MessageId", "another id"), ("Timestamp", "2020-01-01T00:00:00.000Z"),
    ("Subject", "added"), ("Type", "SubscriptionConfirmation"), ("SignatureVersion", "3"),
    ("Signature", "AAAA"), ("Signature", "not base64!"), ("TopicArn", TOPIC.replace("123456789012", "999999999999")),
])
def test_any_change_to_a_signed_message_is_refused(field: str, value: str) -> None:
    signer = local_sns()
    envelope = signer.envelope("m", TOPIC)
    envelope[field] = value
    with pytest.raises(ForgedSnsMessage):
        verify_sns_message(envelope, topic_arn=TOPIC, certificate=signer.certificate)


def test_a_signature_by_another_key_is_refused() -> None:
    ours, theirs = local_sns(), LocalSns()
    forged = theirs.envelope("m", TOPIC)
    forged["SigningCertUrl"] = ours.certificate_url(TOPIC)  # claims AWS's (our trusted) certificate
    with pytest.raises(ForgedSnsMessage, match="does not verify"):
        verify_sns_message(forged, topic_arn=TOPIC, certificate=ours.certificate)


@pytest.mark.parametrize("url", [
    "http://sns.eu-central-1.amazonaws.com/SimpleNotificationService-x.pem",
    "https://sns.eu-central-1.amazonaws.com.evil.example/SimpleNotificationService-x.pem",
    "https://evil.example/sns.eu-central-1.amazonaws.com/SimpleNotificationService-x.pem",
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem",  # not the topic's region
    "https://sns.eu-central-1.amazonaws.com:8443/SimpleNotificationService-x.pem",
    "https://user@sns.eu-central-1.amazonaws.com/SimpleNotificationService-x.pem",
    "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-x.pem?x=1",
    "https://sns.eu-central-1.amazonaws.com/../x.pem",
    "https://s3.eu-central-1.amazonaws.com/SimpleNotificationService-x.pem",
    "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-x.txt",
])
def test_a_certificate_anywhere_but_aws_sns_of_the_topics_region_is_refused_before_fetching(url: str) -> None:
    with pytest.raises(ForgedSnsMessage):
        certificate_url({"SigningCertURL": url}, TOPIC)


def test_the_signed_text_is_awss_canonical_form() -> None:
    envelope = {"Type": "Notification", "MessageId": "i", "TopicArn": TOPIC, "Message": "m", "Timestamp": "t",
                "Subject": None, "UnsubscribeUrl": "not signed"}
    assert signed_text(envelope) == f"Message\nm\nMessageId\ni\nTimestamp\nt\nTopicArn\n{TOPIC}\nType\nNotification\n".encode()


def test_the_testdata_sns_body_is_not_from_our_topic(testdata_dir) -> None:
    envelope = json.loads((testdata_dir / "ses_notifications/amazonses-02.json").read_text())
    fetched: list[str] = []
    with pytest.raises(ForgedSnsMessage, match="not from our topic"):
        verify_sns_message(envelope, topic_arn=TOPIC, certificate=lambda url: fetched.append(url) or b"")
    assert fetched == []  # refused before anything was fetched
