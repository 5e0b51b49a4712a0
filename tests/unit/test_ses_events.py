"""The SES event parser, the mail_id tag and what events mean: pure rules, no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.rules.ses_events import (
    MailEvent,
    event_type_name,
    fate_after,
    mail_id_from_tag,
    mail_id_tag_value,
    parse_ses_event,
    stops_all_mail,
    stops_automatic_mail,
)


def _publishing(event_type: str, detail_key: str | None, detail: dict | None, tags: dict | None = None) -> str:
    message: dict = {
        "eventType": event_type,
        "mail": {
            "timestamp": "2026-11-23T10:00:00.000Z",
            "messageId": "0102-abc",
            "destination": ["erika@beispiel.example"],
            "tags": tags if tags is not None else {"mail_id": ["ticket-ack-2026-000001"], "ses:source-ip": ["1.2.3.4"]},
        },
    }
    if detail_key:
        message[detail_key] = detail
    return json.dumps(message)


def test_a_send_event_names_our_mail_and_the_mails_moment() -> None:
    event = parse_ses_event(_publishing("Send", "send", {}))
    assert event == MailEvent(
        kind="send", mail_id="ticket-ack-2026-000001", ses_message_id="0102-abc",
        at=datetime(2026, 11, 23, 10, tzinfo=UTC), recipients=("erika@beispiel.example",),
    )


def test_a_permanent_bounce_with_its_type_subtype_and_diagnostic() -> None:
    event = parse_ses_event(_publishing("Bounce", "bounce", {
        "bounceType": "Permanent", "bounceSubType": "NoEmail", "timestamp": "2026-11-23T10:00:07.500Z",
        "bouncedRecipients": [{"emailAddress": "erika@beispiel.example", "diagnosticCode": "smtp; 550 5.1.1 no"}],
    }))
    assert event is not None and event.kind == "bounce" and stops_all_mail(event)
    assert (event.bounce_type, event.bounce_subtype, event.diagnostic) == ("Permanent", "NoEmail", "smtp; 550 5.1.1 no")
    assert event.at == datetime(2026, 11, 23, 10, 0, 7, 500000, tzinfo=UTC)
    assert event.recipients == ("erika@beispiel.example",)


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_transient_and_undetermined_bounces_stop_nothing(bounce_type: str) -> None:
    event = parse_ses_event(_publishing("Bounce", "bounce", {
        "bounceType": bounce_type, "bounceSubType": "MailboxFull", "timestamp": "2026-11-23T10:00:07Z",
        "bouncedRecipients": [{"emailAddress": "erika@beispiel.example"}],
    }))
    assert event is not None and not stops_all_mail(event) and not stops_automatic_mail(event)


def test_a_complaint_stops_automatic_mail_unless_it_says_not_spam() -> None:
    def complaint(feedback: str | None) -> MailEvent:
        detail = {"timestamp": "2026-11-23T11:00:00Z", "complainedRecipients": [{"emailAddress": "e@x.example"}]}
        if feedback:
            detail["complaintFeedbackType"] = feedback
        event = parse_ses_event(_publishing("Complaint", "complaint", detail))
        assert event is not None
        return event

    assert stops_automatic_mail(complaint("abuse")) and stops_automatic_mail(complaint(None))
    assert not stops_automatic_mail(complaint("not-spam")) and not stops_all_mail(complaint("abuse"))
    assert complaint("abuse").complaint_type == "abuse"


@pytest.mark.parametrize(("event_type", "key", "detail", "kind"), [
    ("Delivery", "delivery", {"timestamp": "2026-11-23T10:00:03Z", "recipients": ["e@x.example"]}, "delivery"),
    ("Reject", "reject", {"reason": "Bad content"}, "reject"),
    ("DeliveryDelay", "deliveryDelay", {"timestamp": "2026-11-23T10:30:00Z", "delayType": "MailboxFull",
                                        "delayedRecipients": [{"emailAddress": "e@x.example"}]}, "delivery_delay"),
    ("Rendering Failure", "failure", {"errorMessage": "Attribute 'x' is not present"}, "rendering_failure"),
])
def test_every_event_type_we_subscribe_to(event_type: str, key: str, detail: dict, kind: str) -> None:
    event = parse_ses_event(_publishing(event_type, key, detail))
    assert event is not None and event.kind == kind and event.mail_id == "ticket-ack-2026-000001"


def test_the_older_notification_format_of_the_testdata(testdata_dir: Path) -> None:
    kinds = {}
    for path in sorted((testdata_dir / "ses_notifications").glob("*.json")):
        raw = json.loads(path.read_text())
        event = parse_ses_event(raw["Message"] if "Message" in raw else path.read_text())
        assert event is not None, path.name
        assert event.mail_id is None  # identity notifications carry no tags: no mail of ours
        kinds[path.name] = event.kind
    assert kinds == {"amazonses-01.json": "bounce", "amazonses-02.json": "bounce", "amazonses-03.json": "complaint",
                     "amazonses-04.json": "delivery", "amazonses-05.json": "delivery", "amazonses-06.json": "bounce"}


@pytest.mark.parametrize("message", [
    "", "not json", "[]", "null", "[" * 100_000, json.dumps({"eventType": "Open", "mail": {"messageId": "x"}}),
    json.dumps({"eventType": "Click"}), json.dumps({"notificationType": "AmazonSnsSubscriptionSucceeded"}),
    json.dumps({"eventType": "Bounce", "mail": {"messageId": "x", "timestamp": "2026-11-23T10:00:00Z"}}),
    json.dumps({"eventType": "Bounce", "mail": {"messageId": "x"}, "bounce": {"timestamp": "2026-11-23T10:00:00Z"}}),
    json.dumps({"eventType": "Send", "mail": {"messageId": "x", "timestamp": "yesterday"}, "send": {}}),
    json.dumps({"eventType": "Send", "mail": {"messageId": "x", "timestamp": "2026-11-23T10:00:00"}, "send": {}}),
    json.dumps({"eventType": "Send", "mail": {"timestamp": "2026-11-23T10:00:00Z"}, "send": {}}),
    json.dumps({"eventType": "Send", "mail": "x", "send": {}}),
    json.dumps({"eventType": ["Send"], "mail": {"messageId": "x", "timestamp": "2026-11-23T10:00:00Z"}}),
])
def test_malformed_or_unknown_messages_are_no_event(message: str) -> None:
    assert parse_ses_event(message) is None


def test_the_type_for_logs_is_never_free_text() -> None:
    assert event_type_name(json.dumps({"eventType": "Open"})) == "Open"
    assert event_type_name(json.dumps({"eventType": "erika@beispiel.example"})) == "untyped"
    assert event_type_name("{") == "unreadable" and event_type_name("[1]") == "unreadable"


@pytest.mark.parametrize("tags", [
    {}, {"mail_id": []}, {"mail_id": ["a", "b"]}, {"mail_id": [7]}, {"mail_id": ["a b"]}, {"mail_id": "x"}, [],
])
def test_a_missing_or_odd_tag_names_no_mail(tags: object) -> None:
    event = parse_ses_event(_publishing("Send", "send", {}, tags=tags))  # type: ignore[arg-type]
    assert event is not None and event.mail_id is None


@given(st.text(min_size=1, max_size=100).filter(lambda text: len(text.encode("utf-8")) <= 180))
def test_the_tag_carries_any_mail_id_and_only_tag_safe_characters(mail_id: str) -> None:
    # Up to 180 bytes of UTF-8 fit SES's 256 characters even base64-encoded; ours are short ASCII.
    value = mail_id_tag_value(mail_id)
    assert value is not None and len(value) <= 256
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in value)
    assert mail_id_from_tag(value) == mail_id


def test_our_mail_ids_travel_as_themselves_and_old_tags_read_back() -> None:
    for mail_id in ("verify-acc_e40d5ff65b44922d", "invoice-2026-000001", "closed-notice-2026-1-ab12-20261123"):
        assert mail_id_tag_value(mail_id) == mail_id and mail_id_from_tag(mail_id) == mail_id
    assert mail_id_tag_value("x" * 300) is None


def test_a_fate_only_moves_forward() -> None:
    assert fate_after(None, "send") == "sent"
    assert fate_after("sent", "delivery_delay") == "delayed"
    assert fate_after("delayed", "delivery") == "delivered"
    assert fate_after("delivered", "send") is None and fate_after("delivered", "delivery_delay") is None
    assert fate_after("delivered", "complaint") == "complained"
    assert fate_after("complained", "delivery") is None
    assert fate_after("rate_limited", "send") == "sent"  # our own fates rank below any SES event
