"""Staff notifications against DynamoDB Local: the assignee's mail on a customer message, the lead's at-risk
mail from the SLA watch (once per ticket and due time), and the member's own off switch at the desk."""

from __future__ import annotations

from tests.functional.helpers import (
    DESK_NOW,
    auth,
    body_of,
    desk_member,
    desk_sign_in,
    mail_text,
    mails,
    now_header,
    post_form,
    post_json,
    run_job,
)

OPENED = "2026-11-23T11:00:00+01:00"  # Monday; severe → high: 8 support hours → due Tuesday 11:00 (DACH)


def _open(client, customer) -> str:
    body = {"subject": "Export fails", "description": "Error 500", "impact": "severe"}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(OPENED)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def _customer_writes(client, customer, number: str, text: str, now: str) -> None:
    response = post_json(client, f"/tickets/{number}/messages", {"text": text}, {**auth(customer), **now_header(now)})
    assert response.status_code == 201, response.body


def _assign(client, agent, number: str) -> None:
    answer = post_json(client, f"/staff/tickets/{number}/assign", {}, {**agent, **now_header(OPENED)})
    assert answer.status_code == 200, answer.body


def test_the_assignee_is_mailed_when_the_customer_writes_and_not_after_turning_it_off(
    client, customer, agent, outbox_dir
):
    number = _open(client, customer)
    _customer_writes(client, customer, number, "Before anyone took it", "2026-11-23T11:10:00+01:00")
    _assign(client, agent, number)
    _customer_writes(client, customer, number, "The secret invoice 4711 is attached", "2026-11-23T11:20:00+01:00")
    run_job("mail", "2026-11-23T11:21:00+01:00")
    told = mails(outbox_dir, "customer-replied-")
    assert len(told) == 1  # the message before the assignment told nobody
    text = mail_text(outbox_dir / told[0])
    assert "To: alex@cocoon.example" in (outbox_dir / told[0]).read_text()
    assert f"[Ticket#{number}]" in (outbox_dir / told[0]).read_text() and "secret invoice" not in text

    from shared.services.support.notifications import set_notifications
    from shared.storage.staff_notices import listener_by_email

    set_notifications(_staff_id("alex@cocoon.example"), on=False)
    assert listener_by_email("alex@cocoon.example").notifications_off
    _customer_writes(client, customer, number, "And more", "2026-11-23T11:30:00+01:00")
    run_job("mail", "2026-11-23T11:31:00+01:00")
    assert len(mails(outbox_dir, "customer-replied-")) == 1


def _staff_id(email: str) -> str:
    from shared.storage.models import StaffMember
    from shared.storage.tokens import STAFF_LOOKUP_KEY

    return next(
        m.staff_id for m in StaffMember.lookup_index.query(STAFF_LOOKUP_KEY)
        if isinstance(m, StaffMember) and m.email == email
    )


def test_the_lead_hears_once_when_a_first_response_becomes_at_risk(client, customer, outbox_dir):
    number = _open(client, customer)
    run_job("sla-watch", "2026-11-23T12:00:00+01:00")  # 7 support hours left: not at risk
    run_job("mail", "2026-11-23T12:01:00+01:00")
    assert mails(outbox_dir, "at-risk-") == []
    run_job("sla-watch", "2026-11-23T17:30:00+01:00")  # 0.5 h tonight + 1 h tomorrow: at risk
    run_job("sla-watch", "2026-11-24T09:00:00+01:00")  # a re-run (and the next night's): no second mail
    run_job("mail", "2026-11-24T09:01:00+01:00")
    told = mails(outbox_dir, "at-risk-")
    assert len(told) == 1
    raw = (outbox_dir / told[0]).read_text()
    assert "To: support-lead@cocoon.example" in raw and f"[Ticket#{number}]" in raw
    assert "Nobody has taken it yet" in mail_text(outbox_dir / told[0])


def test_an_answered_ticket_is_never_at_risk(client, customer, agent, outbox_dir):
    number = _open(client, customer)
    _assign(client, agent, number)
    reply = post_json(client, f"/staff/tickets/{number}/replies", {"text": "On it"}, {**agent, **now_header(OPENED)})
    assert reply.status_code == 201
    run_job("sla-watch", "2026-11-24T10:30:00+01:00")
    run_job("mail", "2026-11-24T10:31:00+01:00")
    assert mails(outbox_dir, "at-risk-") == []


def test_a_member_turns_the_mails_off_and_on_at_the_desk(client, outbox_dir):
    desk_member("ada@cocoon.example")
    cookie, csrf = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    headers = {"Cookie": cookie, **now_header(DESK_NOW)}
    page = client.http.get("/desk/notifications", headers=headers)
    assert page.status_code == 200 and "<strong>on</strong>" in page.body.decode()
    turned = post_form(client, "/desk/notifications", {"csrf_token": csrf, "mails": "off"}, headers)
    assert turned.status_code == 200 and "<strong>off</strong>" in turned.body.decode()
    assert "<strong>off</strong>" in client.http.get("/desk/notifications", headers=headers).body.decode()
    wrong = post_form(client, "/desk/notifications", {"csrf_token": csrf, "mails": "maybe"}, headers)
    assert wrong.status_code == 400 and "mails" in wrong.body.decode()
