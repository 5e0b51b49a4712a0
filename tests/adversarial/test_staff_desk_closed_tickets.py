"""The staff desk on a closed ticket: a change that races with closing, or comes after it, writes and mails nothing.

A closed ticket is final (SPEC §6): it is answered by a new request, never by a late reply, and
it gets no response watch back through a priority change.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.storage.models import CocoonItem, OutboxMail, ScheduledAction
from tests.functional.helpers import auth, body_of, now_header, post_json

OPENED = "2026-11-23T11:00:00+01:00"
LATER = "2026-11-23T12:00:00+01:00"


def open_and_close(client: Any, customer: dict[str, Any], agent: dict[str, str]) -> str:
    opened = post_json(
        client, "/tickets", {"subject": "Export fails", "description": "Error 500", "impact": "severe"},
        {**auth(customer), **now_header(OPENED)},
    )
    assert opened.status_code == 201, opened.body
    number = body_of(opened)["number"]
    closed = post_json(client, f"/staff/tickets/{number}/state", {"state": "closed"}, {**agent, **now_header(LATER)})
    assert closed.status_code == 200 and body_of(closed)["state"] == "closed", closed.body
    return number


def watches_of(number: str) -> list[str]:
    return [i.sk for i in CocoonItem.scan() if isinstance(i, ScheduledAction) and i.action == number]


def mails_starting(prefix: str) -> list[str]:
    return [i.mail_id for i in CocoonItem.scan() if isinstance(i, OutboxMail) and i.mail_id.startswith(prefix)]


def test_a_priority_change_on_a_closed_ticket_is_refused_and_arms_no_response_watch(client, customer, agent):
    number = open_and_close(client, customer, agent)
    assert watches_of(number) == []
    answer = post_json(
        client, f"/staff/tickets/{number}/priority", {"priority": "urgent"}, {**agent, **now_header(LATER)}
    )
    assert answer.status_code == 409, answer.body
    assert body_of(answer)["error"]["code"] == "ticket_closed"
    assert watches_of(number) == []  # no first-response watch (and no escalation) for a closed ticket
    shown = body_of(client.http.get(f"/staff/tickets/{number}", headers=agent))
    assert shown["priority"] == "high" and shown["state"] == "closed"


def test_a_reply_typed_while_the_ticket_was_closed_is_refused_and_mails_nothing(client, customer, agent):
    from shared.policy import get_policy
    from shared.services.support import desk
    from shared.storage.support import staff_member
    from shared.storage.tickets import find_ticket

    opened = post_json(
        client, "/tickets", {"subject": "Export fails", "description": "Error 500"},
        {**auth(customer), **now_header(OPENED)},
    )
    number = body_of(opened)["number"]
    stale = find_ticket(number)  # what the reply handler read before the ticket was closed
    assert stale is not None and stale.state == "new"
    closed = post_json(client, f"/staff/tickets/{number}/state", {"state": "closed"}, {**agent, **now_header(LATER)})
    assert closed.status_code == 200
    member = next(m for m in (staff_member(s) for s in _staff_ids()) if m is not None)
    with pytest.raises(desk.TicketClosed):
        desk.reply(stale, member, "Here is the fix.", stale.received_at, get_policy())
    assert mails_starting(f"ticket-reply-{number}") == []
    assert watches_of(number) == []  # the reply's status-update watch is not armed either
    shown = body_of(client.http.get(f"/staff/tickets/{number}", headers=agent))
    assert [m["kind"] for m in shown["messages"]] == ["request"]


def _staff_ids() -> list[str]:
    from shared.storage.models import StaffMember

    return [i.staff_id for i in StaffMember.scan()]
