"""Support intake through every channel, against DynamoDB Local."""

from __future__ import annotations

import json

import pytest

from functions import mail_delivery
from shared.storage.models import CocoonItem, TicketMessage
from tests.functional.helpers import (
    INTAKE_NOW,
    a_raw_mail,
    auth,
    body_of,
    mail_text,
    now_header,
    post_json,
    signed_post,
    signed_sns_event,
    tickets,
)

NOW = INTAKE_NOW  # a Monday, inside DACH support hours





def test_web_form_opens_a_ticket_with_tag_target_and_missing_list(client, customer, outbox_dir):
    response = post_json(
        client,
        "/tickets",
        {
            "email": "erika@beispiel.example",
            "subject": "Export to Excel fails",
            "description": "Error 500 on export",
            "impact": "unusable",
            "version": "5.2",
        },
        now_header("2026-11-20T17:30:00+01:00"),
    )  # Friday 17:30 Berlin
    assert response.status_code == 201, response.body
    ticket = body_of(response)
    assert ticket["priority"] == "urgent" and ticket["region"] == "DACH"
    assert ticket["first_response_due"] == "2026-11-23T13:30:00+01:00"  # 4 support hours: Mon 13:30
    assert ticket["number"].startswith("20261120")
    mail_delivery.run(__import__("datetime").datetime.fromisoformat("2026-11-20T17:31:00+01:00"))
    ack = next(outbox_dir.glob("ticket-ack-*.eml"))
    text = ack.read_text()
    assert f"[Ticket#{ticket['number']}]" in text
    body = mail_text(ack)
    assert "den Schritten, die zum Fehler führen" in body and "der Softwareversion" not in body


def test_form_from_a_stranger_is_refused_and_nothing_stored(client, customer):
    before = sorted(item.pk for item in CocoonItem.scan())
    response = post_json(client, "/tickets", {"email": "stranger@nowhere.example", "description": "hi"})
    assert response.status_code == 403 and body_of(response)["error"]["code"] == "not_eligible"
    assert sorted(item.pk for item in CocoonItem.scan()) == before


def test_the_app_opens_a_ticket_with_the_accounts_token(client, customer):
    response = post_json(
        client,
        "/tickets",
        {"subject": "Help", "description": "Sync stops", "impact": "minimal"},
        {**auth(customer), **now_header(NOW)},
    )
    assert response.status_code == 201
    number = body_of(response)["number"]
    assert body_of(response)["priority"] == "low"
    assert tickets()[0].vague_subject is True
    shown = client.http.get(f"/tickets/{number}", headers=auth(customer))
    assert shown.status_code == 200 and body_of(shown)["messages"][0]["text"] == "Sync stops"


def test_mail_opens_a_ticket_and_a_reply_with_the_tag_is_threaded(client, customer):
    created = signed_post(client, a_raw_mail("Erika <erika@beispiel.example>", "Export fails"))
    assert created.status_code == 202, created.body
    answer = body_of(created)
    assert answer["outcome"] == "ticket_created"
    number = answer["ticket"]
    reply = signed_post(
        client,
        a_raw_mail(
            "erika@beispiel.example", f"Re: Export fails [Ticket#{number}]", "Here are the steps.\n\n> old quoted text"
        ),
    )
    assert body_of(reply) == {"outcome": "message_added", "ticket": number}
    messages = [item for item in CocoonItem.scan() if isinstance(item, TicketMessage)]
    assert len(messages) == 2
    assert all(
        "colleague@elsewhere.example" not in json.dumps(item.attribute_values, default=str)
        for item in CocoonItem.scan()
    )


def test_the_same_mail_twice_makes_one_ticket(client, customer):
    raw = a_raw_mail("erika@beispiel.example", "Export fails", message_id="<same@mail.example>")
    assert body_of(signed_post(client, raw))["outcome"] == "ticket_created"
    assert body_of(signed_post(client, raw))["outcome"] == "duplicate"
    assert len(tickets()) == 1


def test_a_strangers_mail_leaves_zero_items(client, customer):
    before = sorted((item.pk, item.sk) for item in CocoonItem.scan())
    response = signed_post(client, a_raw_mail("stranger@nowhere.example", "Please help"))
    assert body_of(response)["outcome"] == "dropped"
    assert sorted((item.pk, item.sk) for item in CocoonItem.scan()) == before


def test_a_stranger_quoting_a_ticket_number_does_not_get_in(client, customer):
    number = body_of(signed_post(client, a_raw_mail("erika@beispiel.example", "Export fails")))["ticket"]
    response = signed_post(client, a_raw_mail("mallory@evil.example", f"Re: [Ticket#{number}]", "let me in"))
    assert body_of(response)["outcome"] == "dropped"
    assert len([i for i in CocoonItem.scan() if isinstance(i, TicketMessage)]) == 1


def test_auto_replies_create_nothing(client, customer):
    before = sorted((item.pk, item.sk) for item in CocoonItem.scan())
    response = signed_post(client, a_raw_mail("erika@beispiel.example", "Out of office", Auto_Submitted="auto-replied"))
    assert body_of(response)["outcome"] == "dropped"
    assert sorted((item.pk, item.sk) for item in CocoonItem.scan()) == before


@pytest.mark.parametrize("problem", ["unsigned", "forged", "stale", "future"])
def test_webhook_signature_problems_are_401(client, customer, problem):
    from datetime import datetime

    raw = a_raw_mail("erika@beispiel.example", "Export fails")
    now = int(datetime.fromisoformat(NOW).timestamp())
    if problem == "unsigned":
        response = client.http.post(
            "/webhooks/inbound-email", headers={"Content-Type": "message/rfc822", **now_header(NOW)}, body=raw
        )
    elif problem == "forged":
        response = signed_post(client, raw, secret="not-our-secret")
    elif problem == "stale":
        response = signed_post(client, raw, timestamp=now - 301)
    else:
        response = signed_post(client, raw, timestamp=now + 301)
    assert response.status_code == 401
    assert tickets() == []


def test_both_secrets_are_valid_during_rotation(client, customer):
    assert signed_post(client, a_raw_mail("erika@beispiel.example", "One"), secret="test-secret-new").status_code == 202
    assert signed_post(client, a_raw_mail("erika@beispiel.example", "Two"), secret="test-secret-old").status_code == 202
    assert len(tickets()) == 2


def test_ses_sns_notification_makes_a_ticket(client, customer, testdata_dir):
    import app as app_module

    event = json.loads((testdata_dir / "aws_events/composed/snsEvent_with_ses_received_notification.json").read_text())
    notification = json.loads(event["Records"][0]["Sns"]["Message"])
    notification["content"] = a_raw_mail("erika@beispiel.example", "From SES").decode()
    event["Records"][0]["Sns"]["Message"] = json.dumps(notification)
    event = signed_sns_event(event)
    app_module.inbound_email_from_ses(event, None)
    app_module.inbound_email_from_ses(event, None)  # an SNS redelivery
    assert len(tickets()) == 1


def test_the_published_ses_sample_is_taken_in_without_error(client, customer, testdata_dir):
    import app as app_module

    event = json.loads((testdata_dir / "aws_events/composed/snsEvent_with_ses_received_notification.json").read_text())
    app_module.inbound_email_from_ses(signed_sns_event(event), None)  # a stranger's mail: dropped, nothing stored
    assert tickets() == []
