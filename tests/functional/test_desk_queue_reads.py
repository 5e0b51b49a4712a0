"""The queues' account filter, "mine" on its own index, filtered pages that fill, and the backfill (issue 15)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from functions.cli import main as cocoon
from tests.functional.helpers import (
    auth,
    body_of,
    desk_sign_in,
    now_header,
    post_json,
    record_dynamodb_requests,
    signup_and_verify,
)

OPENED = "2026-11-23T11:00:00+01:00"  # Monday, inside DACH support hours
LATER = "2026-11-23T12:00:00+01:00"
IMPACTS = ("unusable", "severe", "moderate", "minimal")


def _open(client, customer, subject: str, impact: str) -> str:
    body = {"subject": subject, "description": "Error 500", "impact": impact}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(OPENED)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


def _assign(client, number: str, staff: dict[str, str]) -> None:
    taken = post_json(client, f"/staff/tickets/{number}/assign", {}, {**staff, **now_header(OPENED)})
    assert taken.status_code == 200, taken.body




def _policy(**support: int) -> Any:
    from shared.policy import get_policy

    base = get_policy()
    return base.model_copy(update={"support": base.support.model_copy(update=support)})


@pytest.fixture
def desk_agent(client, outbox_dir, agent):
    cookie, csrf = desk_sign_in(client, outbox_dir, "alex@cocoon.example", LATER)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(LATER)}


@pytest.fixture
def other_agent(db, capsys) -> dict[str, str]:
    assert cocoon(["staff", "add", "Sam Other", "sam@cocoon.example", "--role", "agent"]) == 0
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}"}


@pytest.fixture
def second_customer(client, outbox_dir, customer) -> dict[str, Any]:
    return signup_and_verify(client, outbox_dir, "jan@zweite.example", now="2026-11-02T11:00:00+01:00")


def test_every_view_filters_by_account_in_one_query(
    client, customer, second_customer, agent, desk_agent, monkeypatch
):
    ours = [_open(client, customer, f"Ours {i}", IMPACTS[i % 4]) for i in range(3)]
    theirs = [_open(client, second_customer, f"Theirs {i}", IMPACTS[i % 4]) for i in range(3)]
    _assign(client, ours[0], agent)
    _assign(client, theirs[0], agent)
    account = customer["account_id"]
    requests = record_dynamodb_requests(monkeypatch)
    expected = {"open": ours, "mine": [ours[0]], "unassigned": ours[1:], "waiting": [], "overdue": [], "at_risk": None}
    for view, shown in expected.items():
        requests.clear()
        page = client.http.get(f"/desk/tickets?view={view}&account={account}", headers=desk_agent)
        assert page.status_code == 200, page.body
        text = _text(page)
        assert not any(f">{number}<" in text for number in theirs), view
        if shown is not None:
            assert sorted(n for n in ours if f">{n}<" in text) == sorted(shown), view
            assert requests.count("Query") <= 3 and "Scan" not in requests, (view, requests)
        assert f'value="{account}"' in text  # the filter control keeps the account


def test_the_account_page_links_to_its_tickets_in_the_queue(client, customer, desk_agent):
    number = _open(client, customer, "Export fails", "severe")
    page = client.http.get(f"/desk/accounts/{customer['account_id']}", headers=desk_agent)
    link = f'/desk/tickets?view=open&amp;account={customer["account_id"]}'
    assert page.status_code == 200 and link in _text(page)
    queue = client.http.get(link.replace("&amp;", "&"), headers=desk_agent)
    assert f">{number}<" in _text(queue)


@pytest.mark.parametrize("bad", ["x" * 65, "acc id", "ACCOUNT#x", "a'b", "ä"])
def test_a_bad_account_is_a_400_naming_account(client, desk_agent, bad):
    from urllib.parse import quote

    page = client.http.get(f"/desk/tickets?view=open&account={quote(bad)}", headers=desk_agent)
    assert page.status_code == 400, page.body
    assert "account" in body_of(page)["error"]["fields"]


def test_mine_reads_the_assignee_index_and_fills_its_page(client, customer, agent, other_agent, monkeypatch):
    from shared.rules.support.queues import View
    from shared.services.support.queues import queue_page
    from shared.storage.models import Ticket

    numbers = [_open(client, customer, f"Problem {i}", IMPACTS[i % 4]) for i in range(8)]
    for index, number in enumerate(numbers):  # the earliest due are someone else's: a filter would read past them
        _assign(client, number, other_agent if index < 5 else agent)
    me = next(t.assignee_id for t in Ticket.scan() if isinstance(t, Ticket) and t.number == numbers[-1])
    requests = record_dynamodb_requests(monkeypatch)
    page = queue_page(View.MINE, str(me), datetime.fromisoformat(LATER), _policy(desk_page_size=3))
    assert sorted(row.number for row in page.rows) == sorted(numbers[5:])
    assert requests == ["Query"]


def test_a_filtered_page_of_all_open_fills_in_at_most_three_queries(client, customer, monkeypatch):
    from shared.rules.support.queues import View
    from shared.services.support.queues import queue_page

    numbers = [_open(client, customer, f"Problem {i}", IMPACTS[i % 4]) for i in range(12)]
    low = [n for i, n in enumerate(numbers) if IMPACTS[i % 4] == "minimal"]
    policy = _policy(desk_page_size=2, desk_filtered_read=2)  # each Query reads 2 items, a quarter of them low
    requests = record_dynamodb_requests(monkeypatch)
    seen: list[str] = []
    cursor = ""
    for _ in range(6):
        requests.clear()
        page = queue_page(View.OPEN, "nobody", datetime.fromisoformat(LATER), policy, region="DACH",
                          priority="low", cursor=cursor)
        assert 1 <= len(requests) <= 3 and set(requests) == {"Query"}
        seen += [row.number for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(low) and len(seen) == len(set(seen))


def _strip_open_keys() -> None:
    from shared.storage.models import Ticket

    for ticket in Ticket.scan():
        if isinstance(ticket, Ticket):
            ticket.update(actions=[Ticket.open_queue.remove(), Ticket.assignee_queue.remove(),
                                   Ticket.account_queue.remove()])


def test_backfill_puts_older_tickets_in_the_queue_indexes_once(client, customer, agent, desk_agent, capsys):
    numbers = [_open(client, customer, f"Old {i}", IMPACTS[i % 4]) for i in range(3)]
    _assign(client, numbers[0], agent)
    capsys.readouterr()
    _strip_open_keys()  # as tickets opened before the indexes were
    before = _text(client.http.get("/desk/tickets?view=open", headers=desk_agent))
    assert not any(f">{n}<" in before for n in numbers)
    assert cocoon(["backfill-queues"]) == 0
    assert "written for 3 of 3 ticket(s)" in capsys.readouterr().out
    after = _text(client.http.get("/desk/tickets?view=open", headers=desk_agent))
    mine = _text(client.http.get("/desk/tickets?view=mine", headers=desk_agent))
    account = _text(client.http.get(f"/desk/tickets?view=open&account={customer['account_id']}", headers=desk_agent))
    assert all(f">{n}<" in after and f">{n}<" in account for n in numbers) and f">{numbers[0]}<" in mine
    assert cocoon(["backfill-queues"]) == 0  # a re-run writes nothing
    assert "written for 0 of 3 ticket(s)" in capsys.readouterr().out


def test_an_assigned_ticket_is_in_all_three_open_indexes_and_leaves_them_when_solved(client, customer, agent):
    from shared.storage.models import Ticket

    number = _open(client, customer, "Export fails", "severe")
    _assign(client, number, agent)
    (ticket,) = [t for t in Ticket.scan() if isinstance(t, Ticket) and t.number == number]
    assert ticket.open_queue == "OPEN#DACH" and ticket.account_queue == f"ACCOUNT#{customer['account_id']}"
    assert ticket.assignee_queue == f"ASSIGNEE#{ticket.assignee_id}"
    solved = post_json(client, f"/staff/tickets/{number}/state", {"state": "solved"}, {**agent, **now_header(LATER)})
    assert solved.status_code == 200, solved.body
    ticket.refresh()
    assert (ticket.open_queue, ticket.account_queue, ticket.assignee_queue) == (None, None, None)
