"""A solved ticket and the rating links of its solved mail (issue 16), for the functional and adversarial tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.functional.account_helpers import ACCOUNT_NOW, staff
from tests.functional.helpers import auth, body_of, deliver_mail, mail_text, now_header, post_json

SOLVED_AT = "2026-11-23T12:00:00+01:00"
RATED_AT = "2026-11-24T09:00:00+01:00"


def solved_ticket(client: Any, customer: dict[str, Any], agent: dict[str, str], subject: str = "Export fails") -> str:
    fields = {"subject": subject, "description": "Error 500", "impact": "severe"}
    opened = post_json(client, "/tickets", fields, {**auth(customer), **now_header(ACCOUNT_NOW)})
    assert opened.status_code == 201, opened.body
    number = str(body_of(opened)["number"])
    assert staff(client, agent, "POST", f"/staff/tickets/{number}/replies", {"text": "Fixed."}).status_code < 300
    solved = staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "solved"}, now=SOLVED_AT)
    assert solved.status_code == 200, solved.body
    return number


def solved_mail(outbox_dir: Path, number: str) -> Path:
    deliver_mail(SOLVED_AT)
    found = sorted(outbox_dir.glob(f"ticket-solved-{number}-*.eml"))
    assert len(found) == 1, [p.name for p in outbox_dir.glob("*.eml")]
    return found[0]


def rating_links(outbox_dir: Path, number: str) -> dict[str, str]:
    """verdict → the link's path and query, as mailed."""
    text = mail_text(solved_mail(outbox_dir, number))
    links = {}
    for url in re.findall(r"https?://\S+/ticket-ratings/\S+", text):
        parts = urlsplit(url)
        links[parse_qs(parts.query)["verdict"][0]] = f"{parts.path}?{parts.query}"
    assert set(links) == {"good", "bad"}, text
    return links


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def rating_of(customer: dict[str, Any], number: str) -> tuple[Any, Any]:
    from shared.storage.models import Ticket

    ticket = Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}", consistent_read=True)
    return ticket.rating, ticket.rating_comment


PAGE = {"Accept": "text/html"}
FORM_PAGE = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
