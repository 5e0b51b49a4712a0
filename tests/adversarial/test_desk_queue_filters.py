"""The queues' account filter and "mine" boundary: each test is an attacker's attempt and its refusal.

An agent narrows a queue to one account: the page must hold that account's tickets and nothing else,
a value that is not an account id is a 400 naming `account` (never a key of another index, never a
500), and a cursor handed out for one account's page never opens another account's or another agent's.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import quote

import pytest

from tests.functional.helpers import auth, body_of, desk_member, desk_sign_in, now_header, post_json, signup_and_verify

NOW = "2026-11-23T12:00:00+01:00"
NEXT = re.compile(r'href="(/desk/tickets\?[^"]*cursor=[^"]+)" rel="next"')


def _open(client, owner, subject: str) -> str:
    body = {"subject": subject, "description": "Error 500", "impact": "severe"}
    response = post_json(client, "/tickets", body, {**auth(owner), **now_header(NOW)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


def _desk(client, outbox_dir, name: str) -> dict[str, str]:
    email = f"{name}@cocoon.example"
    desk_member(email, role="agent", name=name.title())
    cookie, csrf = desk_sign_in(client, outbox_dir, email, NOW)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(NOW)}


@pytest.fixture
def two_accounts(client, outbox_dir, customer):
    other = signup_and_verify(client, outbox_dir, "jan@zweite.example", now="2026-11-02T11:00:00+01:00")
    ours = [_open(client, customer, f"Ours {i}") for i in range(3)]
    theirs = [_open(client, other, f"Theirs {i}") for i in range(3)]
    return {"ours": customer["account_id"], "theirs": other["account_id"], "our_tickets": ours, "their_tickets": theirs}


@pytest.fixture
def one_per_page(monkeypatch):
    """Pages of one ticket, so every queue has a next page and a cursor to steal."""
    import shared.policy

    base = shared.policy.get_policy()
    small = base.model_copy(update={"support": base.support.model_copy(update={"desk_page_size": 1})})
    monkeypatch.setattr(shared.policy, "get_policy", lambda: small)


@pytest.mark.parametrize("view", ["open", "unassigned", "overdue", "waiting", "at_risk", "mine"])
def test_an_account_filter_never_shows_another_accounts_ticket(client, outbox_dir, two_accounts, view):
    agent = _desk(client, outbox_dir, "alex")
    page = _text(client.http.get(f"/desk/tickets?view={view}&account={two_accounts['ours']}", headers=agent))
    assert not [number for number in two_accounts["their_tickets"] if f">{number}<" in page]


@pytest.mark.parametrize(
    "value",
    [
        "ACCOUNT#x",  # another index's key shape
        "OPEN#DACH",
        "x" * 65,
        "acc_1' OR '1'='1",
        "acc\u00e9",
        "../acc_1",
    ],
)
def test_an_account_that_is_not_an_account_id_is_refused_naming_account(client, outbox_dir, two_accounts, value):
    agent = _desk(client, outbox_dir, "alex")
    answer = client.http.get(f"/desk/tickets?view=open&account={quote(value)}", headers=agent)
    assert answer.status_code == 400, answer.body
    assert "account" in body_of(answer)["error"]["fields"]


def test_a_cursor_of_one_accounts_page_never_opens_another_accounts(client, outbox_dir, two_accounts, one_per_page):
    agent = _desk(client, outbox_dir, "alex")
    first = _text(client.http.get(f"/desk/tickets?view=open&account={two_accounts['ours']}", headers=agent))
    link = NEXT.search(first)
    assert link, "the account's page has a next page"
    stolen = link.group(1).replace("&amp;", "&").replace(two_accounts["ours"], two_accounts["theirs"])
    answer = client.http.get(stolen, headers=agent)
    assert answer.status_code == 400, answer.body[:300]
    assert "cursor" in body_of(answer)["error"]["fields"]


def test_a_forged_cursor_into_another_agents_mine_is_refused(client, outbox_dir, two_accounts):
    agent = _desk(client, outbox_dir, "alex")
    forged = [{"pk": "ACCOUNT#x", "sk": "TICKET#1", "assignee_queue": "ASSIGNEE#someone-else", "queue_due": "0"}]
    cursor = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    answer = client.http.get(f"/desk/tickets?view=mine&cursor={cursor}", headers=agent)
    assert answer.status_code == 400 and "cursor" in body_of(answer)["error"]["fields"]


def test_the_mine_view_never_lists_another_agents_tickets_of_the_account(client, outbox_dir, two_accounts):
    alex = _desk(client, outbox_dir, "alex")
    sam = _desk(client, outbox_dir, "sam")
    number = two_accounts["our_tickets"][0]
    taken = client.http.post(
        f"/desk/tickets/{number}/assign", body=f"csrf_token={sam['X-CSRF-Token']}",
        headers={**sam, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert taken.status_code in (200, 303), taken.body
    page = _text(client.http.get(f"/desk/tickets?view=mine&account={two_accounts['ours']}", headers=alex))
    assert f">{number}<" not in page
