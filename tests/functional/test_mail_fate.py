"""SES events of our mail through the declared SNS handler (signed as SNS signs), against DynamoDB Local:
each mail's fate, the stops they cause per kind of mail, and what staff see and lift."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from functions.cli import main as cocoon
from tests.functional.helpers import (
    ADDRESS,
    MAIL_SENT_AT,
    body_of,
    bounce,
    complaint,
    fate_of,
    now_header,
    outbox_mail,
    post_json,
    sent_mail,
    ses_event,
    signed_sns_event,
    signed_sns_record,
)

NOW = MAIL_SENT_AT
NOTIFICATIONS = sorted(f"amazonses-{n:02d}.json" for n in range(1, 7))


def take(message: str, now: datetime = NOW + timedelta(hours=1)) -> str:
    from functions.mail_events import take_mail_event

    return take_mail_event(signed_sns_record(message), now)


def run_mail_job(now: datetime = NOW) -> Any:
    from functions import mail_delivery

    return mail_delivery.run(now)


@pytest.fixture
def agent(db: str, capsys: Any) -> dict[str, str]:
    assert cocoon(["staff", "add", "Alex Agent", "alex@cocoon.example", "--role", "agent"]) == 0
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}",
            **now_header("2026-11-23T12:00:00+00:00")}


def test_a_mail_goes_from_sent_to_delivered_and_keeps_every_event_once(db: str) -> None:
    sent_mail("ticket-ack-1")
    assert take(ses_event("Send", "ticket-ack-1", at="2026-11-23T10:00:01.000Z")) == "recorded"
    mail = fate_of("ticket-ack-1")
    assert (mail.fate, mail.ses_message_id) == ("sent", "0102-ticket-ack-1")
    assert mail.send_event_at == datetime(2026, 11, 23, 10, 0, 1, tzinfo=UTC)
    assert take(ses_event("Delivery", "ticket-ack-1", recipients=[ADDRESS], smtpResponse="250 ok")) == "recorded"
    assert take(ses_event("Delivery", "ticket-ack-1", recipients=[ADDRESS])) == "duplicate"  # SNS redelivers
    mail = fate_of("ticket-ack-1")
    assert mail.fate == "delivered" and mail.fate_at == datetime(2026, 11, 23, 10, 0, 5, tzinfo=UTC)
    assert [(e.kind, e.at) for e in mail.fate_history] == [
        ("send", "2026-11-23T10:00:01Z"), ("delivery", "2026-11-23T10:00:05Z"),
    ]


def test_events_out_of_order_never_move_a_fate_back(db: str) -> None:
    sent_mail("m-order")
    take(ses_event("Delivery", "m-order", recipients=[ADDRESS]))
    take(ses_event("DeliveryDelay", "m-order", at="2026-11-23T10:00:03.000Z", delayType="MailboxFull"))
    take(ses_event("Send", "m-order", at="2026-11-23T10:00:01.000Z"))
    mail = fate_of("m-order")
    assert mail.fate == "delivered" and mail.ses_message_id == "0102-m-order"
    assert sorted(e.kind for e in mail.fate_history) == ["delivery", "delivery_delay", "send"]


@pytest.mark.parametrize(("kind", "details", "fate"), [
    ("Reject", {"reason": "Bad content"}, "rejected"),
    ("DeliveryDelay", {"delayType": "TransientCommunicationFailure", "delayedRecipients": [
        {"emailAddress": ADDRESS, "status": "4.4.1", "diagnosticCode": "smtp; 421 try later"}]}, "delayed"),
])
def test_rejects_and_delays_are_the_mails_fate_and_stop_nothing(db: str, kind: str, details: Any, fate: str) -> None:
    from shared.storage.suppressions import suppression_of

    sent_mail("m-1")
    assert take(ses_event(kind, "m-1", **details)) == "recorded"
    assert fate_of("m-1").fate == fate
    assert suppression_of(ADDRESS) is None


@pytest.mark.parametrize("subtype", ["General", "NoEmail", "Suppressed", "OnAccountSuppressionList"])
def test_a_permanent_bounce_stops_all_mail_to_the_address(db: str, subtype: str) -> None:
    from shared.storage.suppressions import suppression_of

    sent_mail("m-bounced")
    assert take(bounce("m-bounced", subtype=subtype)) == "address_stopped"
    assert fate_of("m-bounced").fate == "bounced"
    stop = suppression_of(ADDRESS)
    assert stop is not None and (stop.scope, stop.source, stop.event_kind) == ("all", "ses-bounce", "bounce")
    assert stop.reason == f"SES bounce Permanent/{subtype}" and stop.diagnostic == "smtp; 550 5.1.1 unknown"
    assert stop.until is None and stop.mail_id == "m-bounced"

    invoice, reminder = outbox_mail("invoice-2026-000001", "invoice"), outbox_mail("trial-1", "trial_reminder")
    result = run_mail_job()
    assert result.details.get("suppressed") == 2 and result.done == 0
    for mail in (invoice, reminder):
        kept = fate_of(mail.mail_id)
        assert kept.fate == "suppressed" and kept.sent_at is None and kept.due_job is None


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_transient_and_undetermined_bounces_never_stop_mail(db: str, outbox_dir: Path, bounce_type: str) -> None:
    from shared.storage.suppressions import suppression_of

    sent_mail("m-soft")
    assert take(bounce("m-soft", bounce_type, "MailboxFull")) == "recorded"
    assert fate_of("m-soft").fate == "bounced" and suppression_of(ADDRESS) is None
    outbox_mail("ticket-ack-next")
    assert run_mail_job().done == 1 and (outbox_dir / "ticket-ack-next.eml").exists()


def test_a_complaint_stops_automatic_mail_but_not_what_the_law_or_the_contract_needs(
    db: str, outbox_dir: Path,
) -> None:
    from shared.policy import get_policy
    from shared.storage.suppressions import suppression_of

    sent_mail("m-spam")
    assert take(complaint("m-spam")) == "automatic_mail_stopped"
    assert fate_of("m-spam").fate == "complained"
    stop = suppression_of(ADDRESS)
    assert stop is not None and (stop.scope, stop.source, stop.event_kind) == ("automatic", "ses-complaint", "complaint")
    days = get_policy().mail.complaint_suppression_days
    assert stop.until == datetime(2026, 11, 23, 10, 5, tzinfo=UTC) + timedelta(days=days)

    needed = ["invoice", "deletion_warning", "deactivated_trial", "deactivated_cancellation",
              "cancellation_confirmation", "ticket_reply"]
    for template in needed:
        outbox_mail(f"needed-{template}", template)
    for template in ("ticket_acknowledgement", "trial_reminder", "ticket_status_update"):
        outbox_mail(f"auto-{template}", template)
    result = run_mail_job()
    assert result.done == len(needed) and result.details.get("suppressed") == 3
    assert sorted(p.stem for p in outbox_dir.glob("*.eml")) == sorted(f"needed-{t}" for t in needed)
    assert all(fate_of(f"auto-{t}").fate == "suppressed" for t in ("ticket_acknowledgement", "trial_reminder"))


def test_a_complaints_stop_runs_out_after_the_policys_days_unless_renewed(db: str, outbox_dir: Path) -> None:
    from shared.policy import get_policy
    from shared.storage.suppressions import mail_stopped, suppression_of

    days = get_policy().mail.complaint_suppression_days
    sent_mail("m-a")
    sent_mail("m-b")
    take(complaint("m-a"))
    first_end = datetime(2026, 11, 23, 10, 5, tzinfo=UTC) + timedelta(days=days)
    assert mail_stopped(ADDRESS, "trial_reminder", first_end - timedelta(seconds=1))
    assert not mail_stopped(ADDRESS, "trial_reminder", first_end)

    # A new complaint 30 days later renews it; an older one delivered late does not shorten it.
    take(complaint("m-b", at="2026-12-23T10:05:00.000Z"), now=NOW + timedelta(days=31))
    take(complaint("m-a", at="2026-11-20T10:05:00.000Z"), now=NOW + timedelta(days=31))
    stop = suppression_of(ADDRESS)
    assert stop is not None and stop.until == first_end + timedelta(days=30)
    assert mail_stopped(ADDRESS, "trial_reminder", first_end + timedelta(days=1))

    outbox_mail("ticket-ack-later")
    assert run_mail_job(first_end + timedelta(days=30)).done == 1  # over: automatic mail goes again


def test_a_complaint_never_weakens_a_permanent_bounces_stop(db: str) -> None:
    from shared.storage.suppressions import suppression_of

    sent_mail("m-1")
    sent_mail("m-2")
    take(bounce("m-1"))
    assert take(complaint("m-2")) == "recorded"
    stop = suppression_of(ADDRESS)
    assert stop is not None and stop.scope == "all" and stop.until is None and stop.source == "ses-bounce"


def test_a_not_spam_feedback_report_stops_nothing(db: str) -> None:
    from shared.storage.suppressions import suppression_of

    sent_mail("m-1")
    assert take(complaint("m-1", feedback="not-spam")) == "recorded"
    assert suppression_of(ADDRESS) is None


@pytest.mark.parametrize("name", NOTIFICATIONS)
def test_every_ses_notification_of_the_testdata_through_the_handler(
    db: str, testdata_dir: Path, name: str,
) -> None:
    """The team's real SES notifications, as SNS delivers them to app.py's declared handler: none names a
    mail of ours (no tag), so each is taken and changes nothing; with our tag (as our mails carry it)
    each finds its mail and has its meaning."""
    import app as app_module
    from shared.storage.models import CocoonItem
    from shared.storage.suppressions import suppression_of

    raw = json.loads((testdata_dir / "ses_notifications" / name).read_text())
    notification = json.loads(raw["Message"]) if "Message" in raw else raw  # -02 is a whole SNS body
    recipient = notification["mail"]["destination"][0]
    sent_mail("ours-1", recipient=recipient)
    before = sorted(str(item.attribute_values) for item in CocoonItem.scan())
    event = {"Records": [{"Sns": {"Message": json.dumps(notification)}}]}
    app_module.mail_events_from_ses(signed_sns_event(event, "mail_events"), None)
    assert sorted(str(item.attribute_values) for item in CocoonItem.scan()) == before

    notification["mail"]["tags"] = {"mail_id": ["ours-1"]}
    app_module.mail_events_from_ses(signed_sns_event(
        {"Records": [{"Sns": {"Message": json.dumps(notification)}}]}, "mail_events"), None)
    kind = notification["notificationType"]
    expected = {"Bounce": ("bounced", "all"), "Complaint": ("complained", "automatic"), "Delivery": ("delivered", None)}
    fate, scope = expected[kind]
    assert fate_of("ours-1").fate == fate
    stop = suppression_of(recipient)
    assert (stop.scope if stop else None) == scope


def test_a_mail_the_job_sent_through_signup_gets_its_fate(client: Any, outbox_dir: Path) -> None:
    """End to end: a real outbox mail (the signup's verification), delivered by the mail job, then SES's events."""
    from tests.functional.helpers import signup_fields

    assert post_json(client, "/signup", signup_fields(), now_header("2026-11-23T10:00:00+00:00")).status_code == 202
    assert run_mail_job(NOW + timedelta(minutes=1)).done == 1
    (delivered,) = outbox_dir.glob("verify-*.eml")
    mail_id = delivered.stem
    assert take(ses_event("Send", mail_id)) == "recorded"
    assert take(bounce(mail_id)) == "address_stopped"
    assert fate_of(mail_id).fate == "bounced"


def test_staff_see_why_an_address_is_stopped_and_lift_it(client: Any, agent: dict[str, str]) -> None:
    sent_mail("m-1")
    take(bounce("m-1"))
    shown = post_json(client, "/staff/suppressions/show", {"email": "Erika@Beispiel.example"}, agent)
    assert shown.status_code == 200, shown.body
    assert body_of(shown) == {
        "email": ADDRESS, "scope": "all", "in_force": True, "reason": "SES bounce Permanent/General",
        "source": "ses-bounce", "event_kind": "bounce", "since": "2026-11-23T10:00:05Z", "until": None,
        "diagnostic": "smtp; 550 5.1.1 unknown", "mail_id": "m-1",
    }
    assert post_json(client, "/staff/suppressions/lift", {"email": ADDRESS}, agent).status_code == 200
    gone = post_json(client, "/staff/suppressions/show", {"email": ADDRESS}, agent)
    assert gone.status_code == 404 and body_of(gone)["error"]["fields"] == {"email": "not suppressed"}
    bad = post_json(client, "/staff/suppressions/show", {"email": "not an address"}, agent)
    assert bad.status_code == 400 and "email" in body_of(bad)["error"]["fields"]


def test_staff_see_a_complaints_stop_with_its_end(client: Any, agent: dict[str, str]) -> None:
    sent_mail("m-1")
    take(complaint("m-1"))
    shown = body_of(post_json(client, "/staff/suppressions/show", {"email": ADDRESS}, agent))
    assert (shown["scope"], shown["source"], shown["event_kind"], shown["in_force"]) == (
        "automatic", "ses-complaint", "complaint", True)
    assert shown["until"] is not None and shown["reason"] == "SES complaint abuse"


def test_staff_see_a_mails_fate(client: Any, agent: dict[str, str]) -> None:
    sent_mail("ticket-ack-7")
    take(ses_event("Send", "ticket-ack-7", at="2026-11-23T10:00:01.000Z"))
    take(ses_event("Delivery", "ticket-ack-7", recipients=[ADDRESS]))
    answer = client.http.get("/staff/mails/ticket-ack-7", headers=agent)
    assert answer.status_code == 200, answer.body
    view = body_of(answer)
    assert (view["fate"], view["fate_at"], view["ses_message_id"], view["send_event_at"]) == (
        "delivered", "2026-11-23T10:00:05Z", "0102-ticket-ack-7", "2026-11-23T10:00:01Z")
    assert view["history"] == [
        {"kind": "send", "at": "2026-11-23T10:00:01Z", "detail": None},
        {"kind": "delivery", "at": "2026-11-23T10:00:05Z", "detail": None},
    ]
    assert client.http.get("/staff/mails/no-such-mail", headers=agent).status_code == 404
    assert client.http.get("/staff/mails/ticket-ack-7").status_code == 401
