"""The desk's queues against DynamoDB Local: each view's tickets, filters, the cursor, ≤ 3 requests per page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.functional.helpers import auth, body_of, desk_sign_in, now_header, post_json, record_dynamodb_requests

OPENED = "2026-11-23T11:00:00+01:00"  # Monday, inside DACH support hours
LATER = "2026-11-23T12:00:00+01:00"


def _open(client, customer, subject: str, impact: str, at: str = OPENED) -> str:
    body = {"subject": subject, "description": "Error 500", "impact": impact}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(at)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


@pytest.fixture
def desk_agent(client, outbox_dir, agent):
    """Alex Agent (the API token's member) at the desk too."""
    cookie, csrf = desk_sign_in(client, outbox_dir, "alex@cocoon.example", LATER)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(LATER)}


@pytest.fixture
def three_tickets(client, customer, agent):
    urgent = _open(client, customer, "Nothing works", "unusable")
    high = _open(client, customer, "Export fails", "severe")
    low = _open(client, customer, "A typo", "minimal")
    taken = post_json(client, f"/staff/tickets/{high}/assign", {}, {**agent, **now_header(OPENED)})
    assert taken.status_code == 200, taken.body
    return {"urgent": urgent, "high": high, "low": low}


def _numbers(page: str, tickets: dict[str, str]) -> list[str]:
    found = [(page.index(f">{number}<"), name) for name, number in tickets.items() if f">{number}<" in page]
    return [name for _, name in sorted(found)]


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("mine", ["high"]),
        ("unassigned", ["urgent", "low"]),
        ("open", ["urgent", "high", "low"]),
        ("waiting", []),
        ("overdue", []),
    ],
)
def test_each_queue_shows_its_tickets_by_due_time(client, three_tickets, desk_agent, view, expected):
    page = client.http.get(f"/desk/tickets?view={view}", headers=desk_agent)
    assert page.status_code == 200, page.body
    assert _numbers(_text(page), three_tickets) == expected


def test_filters_by_priority_and_region(client, three_tickets, desk_agent):
    high = _text(client.http.get("/desk/tickets?view=open&priority=high", headers=desk_agent))
    assert _numbers(high, three_tickets) == ["high"]
    dach = _text(client.http.get("/desk/tickets?view=open&region=DACH", headers=desk_agent))
    usa = _text(client.http.get("/desk/tickets?view=open&region=USA", headers=desk_agent))
    assert _numbers(dach, three_tickets) == ["urgent", "high", "low"] and _numbers(usa, three_tickets) == []


def _desk_at(client, outbox_dir, now: str) -> dict[str, str]:
    """A desk session opened at `now` (sessions time out when idle)."""
    cookie, csrf = desk_sign_in(client, outbox_dir, "alex@cocoon.example", now)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(now)}


def test_overdue_shows_the_countdown_past_due_in_support_hours(client, three_tickets, outbox_dir):
    # Urgent: due after 4 support hours (15:00 on Monday); at 16:30 it is 1.5 support hours overdue.
    late = _desk_at(client, outbox_dir, "2026-11-23T16:30:00+01:00")
    page = _text(client.http.get("/desk/tickets?view=overdue", headers=late))
    assert _numbers(page, three_tickets) == ["urgent"] and "overdue by 1.5 h" in page


def test_the_countdown_stands_still_outside_support_hours(client, three_tickets, outbox_dir):
    evening = _text(client.http.get("/desk/tickets?view=open", headers=_desk_at(client, outbox_dir, "2026-11-23T22:00:00+01:00")))
    night = _text(client.http.get("/desk/tickets?view=open", headers=_desk_at(client, outbox_dir, "2026-11-24T03:00:00+01:00")))
    assert "h left" in evening and evening.count("h left") == night.count("h left")
    assert [line for line in evening.splitlines() if "h left" in line] == [
        line for line in night.splitlines() if "h left" in line
    ]


def test_htmx_polls_only_the_rows(client, three_tickets, desk_agent):
    rows = client.http.get("/desk/tickets?view=open", headers={**desk_agent, "HX-Request": "true"})
    assert rows.status_code == 200 and "<html" not in _text(rows) and 'hx-trigger="every 60s"' in _text(rows)




def test_pages_follow_the_cursor_without_loss_or_repeat_in_at_most_three_queries(
    client, customer, agent, monkeypatch
):
    from shared.policy import get_policy
    from shared.rules.support.queues import View
    from shared.services.support.queues import queue_page

    opened = [_open(client, customer, f"Problem {i}", ("unusable", "severe", "moderate", "minimal")[i % 4])
              for i in range(7)]
    base = get_policy()
    policy = base.model_copy(update={"support": base.support.model_copy(update={"desk_page_size": 3})})
    now = datetime.fromisoformat(LATER)
    requests = record_dynamodb_requests(monkeypatch)
    seen: list[str] = []
    cursor = ""
    for _ in range(10):
        requests.clear()
        page = queue_page(View.OPEN, "nobody", now, policy, cursor=cursor)
        assert requests and set(requests) == {"Query"} and len(requests) <= 3
        seen += [row.number for row in page.rows]
        dues = [row.due for row in page.rows]
        assert dues == sorted(dues)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(opened) and len(seen) == len(set(seen))


def test_a_closed_or_solved_ticket_leaves_the_open_queue(client, three_tickets, agent, desk_agent):
    number = three_tickets["high"]
    for state in ("in_progress", "solved"):
        moved = post_json(client, f"/staff/tickets/{number}/state", {"state": state}, {**agent, **now_header(LATER)})
        assert moved.status_code == 200, moved.body
    page = _text(client.http.get("/desk/tickets?view=open", headers=desk_agent))
    assert _numbers(page, three_tickets) == ["urgent", "low"]
