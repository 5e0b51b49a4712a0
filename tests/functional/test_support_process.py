"""The support process end to end with time travel: queue, assignment, replies, pauses, SLA, reports."""

from __future__ import annotations

from datetime import datetime

from shared.storage.models import BillableHoursEntry, CocoonItem, Ticket
from tests.functional.helpers import auth, body_of, mail_text, mails, now_header, post_json, run_job


def open_ticket(client, customer, now: str, impact: str = "severe") -> str:
    response = post_json(
        client,
        "/tickets",
        {"subject": "Export fails", "description": "Error 500", "impact": impact},
        {**auth(customer), **now_header(now)},
    )
    assert response.status_code == 201, response.body
    return body_of(response)["number"]


def staff(client, agent, method: str, path: str, body=None, now: str = "2026-11-23T12:00:00+01:00"):
    headers = {**agent, **now_header(now)}
    if method == "GET":
        return client.http.get(path, headers=headers)
    return post_json(client, path, body or {}, headers)


def test_queue_assign_start_reply_solve_close(client, customer, agent, outbox_dir):
    number = open_ticket(client, customer, "2026-11-23T11:00:00+01:00")  # Monday 11:00, high: 8 h → Tue 11:00
    queue = body_of(staff(client, agent, "GET", "/staff/tickets?state=new"))["tickets"]
    assert [t["number"] for t in queue] == [number]
    assert queue[0]["first_response_due"] == "2026-11-24T11:00:00+01:00"

    assert staff(client, agent, "POST", f"/staff/tickets/{number}/assign").status_code == 200
    started = staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "in_progress"})
    assert body_of(started)["state"] == "in_progress" and body_of(started)["assignee"] == "Alex Agent"
    run_job("mail", "2026-11-23T12:01:00+01:00")
    start_mail = mails(outbox_dir, "ticket-started-")
    assert len(start_mail) == 1 and "Alex Agent" in mail_text(outbox_dir / start_mail[0])

    staff(client, agent, "POST", f"/staff/tickets/{number}/notes", {"text": "Looks like the CSV encoder"})
    answered = staff(client, agent, "POST", f"/staff/tickets/{number}/replies", {"text": "Fixed: please retry."})
    assert answered.status_code == 201
    run_job("mail", "2026-11-23T12:02:00+01:00")
    reply_mail = next(outbox_dir.glob("ticket-reply-*.eml"))
    assert f"[Ticket#{number}]" in reply_mail.read_text()
    assert "CSV encoder" not in "".join(p.read_text() for p in outbox_dir.glob("*.eml"))  # notes never mailed
    customer_view = body_of(client.http.get(f"/tickets/{number}", headers=auth(customer)))
    assert [m["kind"] for m in customer_view["messages"]] == ["request", "reply"]

    staff(client, agent, "POST", f"/staff/tickets/{number}/time", {"hours": "1.5", "description": "Analysis"})
    solved = staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "solved"})
    assert body_of(solved)["state"] == "solved"
    run_job("sla-watch", "2026-11-30T11:00:00+01:00")  # 7 days later, not yet
    assert Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}").state == "solved"
    run_job("sla-watch", "2026-11-30T12:00:01+01:00")
    assert Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}").state == "closed"
    reopened = staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "in_progress"})
    assert reopened.status_code == 409


def test_an_overdue_first_response_is_escalated_once(client, customer, agent, outbox_dir):
    number = open_ticket(client, customer, "2026-11-20T17:30:00+01:00", impact="unusable")  # due Mon 13:30
    run_job("sla-watch", "2026-11-23T13:29:00+01:00")
    assert mails(outbox_dir, "escalation-") == []
    run_job("sla-watch", "2026-11-23T13:31:00+01:00")
    run_job("sla-watch", "2026-11-23T14:31:00+01:00")
    run_job("mail", "2026-11-23T14:32:00+01:00")
    assert mails(outbox_dir, "escalation-") == [f"escalation-{number}.eml"]
    overdue = body_of(staff(client, agent, "GET", "/staff/tickets?overdue=true", now="2026-11-23T14:00:00+01:00"))
    assert [t["number"] for t in overdue["tickets"]] == [number] and overdue["tickets"][0]["escalated"]


def test_waiting_for_the_customer_pauses_the_clock(client, customer, agent):
    number = open_ticket(client, customer, "2026-11-23T11:00:00+01:00")  # high: due Tue 11:00
    staff(
        client,
        agent,
        "POST",
        f"/staff/tickets/{number}/state",
        {"state": "waiting_for_customer"},
        now="2026-11-23T12:00:00+01:00",
    )
    # The customer answers a full support day later (Tue 12:00): 8 support hours of pause.
    added = post_json(
        client,
        f"/tickets/{number}/messages",
        {"text": "Version 5.2"},
        {**auth(customer), **now_header("2026-11-24T12:00:00+01:00")},
    )
    assert added.status_code == 201
    ticket = Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}")
    assert ticket.state == "in_progress"
    assert ticket.first_response_due == datetime.fromisoformat("2026-11-25T11:00:00+01:00")


def test_priority_change_recomputes_the_due_time_from_receipt(client, customer, agent):
    number = open_ticket(client, customer, "2026-11-23T11:00:00+01:00", impact="minimal")  # low: 40 h
    changed = staff(client, agent, "POST", f"/staff/tickets/{number}/priority", {"priority": "urgent"})
    assert body_of(changed)["first_response_due"] == "2026-11-23T15:00:00+01:00"


def test_status_updates_every_five_working_days_while_open(client, customer, agent, outbox_dir):
    number = open_ticket(client, customer, "2026-11-23T11:00:00+01:00")
    staff(client, agent, "POST", f"/staff/tickets/{number}/development", {"kind": "bug", "reference": "DEV-42"})
    run_job("sla-watch", "2026-11-30T10:59:00+01:00")
    run_job("mail", "2026-11-30T10:59:00+01:00")
    assert mails(outbox_dir, "status-update-") == []
    run_job("sla-watch", "2026-11-30T11:00:00+01:00")  # 5 working days (40 support hours) later
    run_job("mail", "2026-11-30T11:01:00+01:00")
    updates = mails(outbox_dir, "status-update-")
    assert len(updates) == 1 and "DEV-42" in mail_text(outbox_dir / updates[0])


def test_service_report_approval_fills_the_billable_hours_ledger(client, customer, agent, outbox_dir):
    number = open_ticket(client, customer, "2026-11-23T11:00:00+01:00")
    staff(client, agent, "POST", f"/staff/tickets/{number}/time", {"hours": "2.25", "description": "Fix"})
    staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "solved"})
    run_job("mail", "2026-11-23T12:05:00+01:00")
    report_mail = mail_text(next(outbox_dir.glob("service-report-*.eml")))
    link = next(line for line in report_mail.splitlines() if "/service-reports/" in line).strip()
    path = link.split("localhost:8000", 1)[1] if "localhost:8000" in link else link[link.index("/service-reports/") :]
    shown = client.http.get(path)
    assert shown.status_code == 200 and body_of(shown)["hours"] == "2.25"
    forged = client.http.get(path.split("token=")[0] + "token=" + "0" * 32)
    assert forged.status_code == 401
    approved = post_json(client, path, {"decision": "approve"}, now_header("2026-11-24T09:00:00+01:00"))
    assert body_of(approved)["state"] == "approved"
    ledger = [i for i in CocoonItem.query(f"ACCOUNT#{customer['account_id']}") if isinstance(i, BillableHoursEntry)]
    assert [(e.month, e.hours) for e in ledger] == [("2026-11", "2.25")]
    assert post_json(client, path, {"decision": "dispute"}).status_code == 409


def test_authorization_waits_for_the_named_person(client, customer, agent, outbox_dir):
    number = open_ticket(client, customer, "2026-11-23T11:00:00+01:00")
    no_one = staff(client, agent, "POST", f"/staff/tickets/{number}/authorization")
    assert no_one.status_code == 409
    post_json(
        client,
        f"/accounts/{customer['account_id']}/authorizers",
        {"email": "boss@beispiel.example", "name": "Boss"},
        auth(customer),
    )
    staff(client, agent, "POST", f"/staff/tickets/{number}/authorization")
    refused = staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "in_progress"})
    assert refused.status_code == 409 and "authorization" in body_of(refused)["error"]["message"]
    run_job("mail", "2026-11-23T12:05:00+01:00")
    text = mail_text(next(outbox_dir.glob("authorize-*.eml")))
    link = next(line for line in text.splitlines() if "/authorizations/" in line).strip()
    path = link[link.index("/authorizations/") :]
    assert post_json(client, path, {}).status_code == 200
    started = staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "in_progress"})
    assert started.status_code == 200


def test_staff_routes_refuse_tenant_tokens_and_phone_requests_take_the_same_path(client, customer, agent):
    assert client.http.get("/staff/tickets", headers=auth(customer)).status_code == 403
    recorded = staff(
        client,
        agent,
        "POST",
        "/staff/tickets",
        {"email": "erika@beispiel.example", "subject": "Called in", "description": "Cannot log in"},
    )
    assert recorded.status_code == 201 and body_of(recorded)["account_id"] == customer["account_id"]
