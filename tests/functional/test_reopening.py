"""'Still broken' to a solved ticket reopens it within its 7 days, by the API and by mail (issue 16)."""

from __future__ import annotations

from shared.storage.models import Ticket
from tests.functional.account_helpers import open_ticket, staff
from tests.functional.helpers import ADMIN, a_raw_mail, auth, body_of, now_header, post_json, run_job, take_in

SOLVED_AT = "2026-11-23T12:00:00+01:00"


def _solved(client, customer, agent) -> str:
    number = open_ticket(client, customer, "2026-11-23T11:00:00+01:00")
    assert staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "solved"}, now=SOLVED_AT)
    return number


def _state(customer, number: str) -> str:
    return Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}").state


def test_an_app_reply_reopens_a_solved_ticket_and_it_no_longer_closes_by_itself(client, customer, agent):
    number = _solved(client, customer, agent)
    reply = post_json(
        client,
        f"/tickets/{number}/messages",
        {"text": "Still broken after the update."},
        {**auth(customer), **now_header("2026-11-25T09:00:00+01:00")},
    )
    assert reply.status_code == 201, reply.body
    assert body_of(reply)["messages"][-1]["text"] == "Still broken after the update."
    assert _state(customer, number) == "in_progress"
    queue = body_of(staff(client, agent, "GET", "/staff/tickets?state=in_progress"))["tickets"]
    assert [t["number"] for t in queue] == [number]
    run_job("sla-watch", "2026-12-01T09:00:00+01:00")  # past the old closing moment
    assert _state(customer, number) == "in_progress"


def test_after_its_days_a_solved_ticket_is_not_reopened(client, customer, agent):
    number = _solved(client, customer, agent)
    late = post_json(
        client,
        f"/tickets/{number}/messages",
        {"text": "Still broken."},
        {**auth(customer), **now_header("2026-11-30T12:00:01+01:00")},
    )
    assert late.status_code == 409
    assert _state(customer, number) == "solved"


def test_a_mailed_reply_reopens_a_solved_ticket(client, customer, agent):
    number = _solved(client, customer, agent)
    raw = a_raw_mail(ADMIN, f"Re: [Ticket#{number}] Export fails", "Still broken, sorry.")
    outcome = take_in(client, raw, now="2026-11-24T09:00:00+01:00")
    assert outcome["outcome"] == "message_added", outcome
    assert _state(customer, number) == "in_progress"
