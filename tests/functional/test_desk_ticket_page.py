"""The desk's ticket page against DynamoDB Local: the thread apart by side, and each form through the JSON route's
service, answering 303 back to the page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.helpers import (
    auth,
    body_of,
    deliver_mail,
    desk_sign_in,
    mail_text,
    mails,
    now_header,
    post_form,
    post_json,
)

OPENED = "2026-11-23T11:00:00+01:00"
LATER = "2026-11-23T12:00:00+01:00"


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


@pytest.fixture
def number(client, customer) -> str:
    body = {"subject": "Export fails", "description": "The export fails with error 500.", "impact": "severe"}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(OPENED)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


@pytest.fixture
def desk(client, outbox_dir, agent) -> dict[str, str]:
    cookie, csrf = desk_sign_in(client, outbox_dir, "alex@cocoon.example", LATER)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(LATER)}


def _post(client, desk, path: str, fields: dict[str, str]) -> Any:
    return post_form(client, path, {**fields, "csrf_token": desk["X-CSRF-Token"]}, desk)


def test_the_page_shows_the_thread_and_offers_only_the_allowed_states(client, number, desk):
    page = client.http.get(f"/desk/tickets/{number}", headers=desk)
    assert page.status_code == 200, page.body
    html = _text(page)
    assert "The export fails with error 500." in html and "desk-message-customer" in html
    offered = {state for state in ("assigned", "in_progress", "waiting_for_customer", "solved", "closed")
               if f'name="state" value="{state}"' in html}
    assert offered == {"assigned", "in_progress", "waiting_for_customer", "solved", "closed"}  # from "new"


def test_a_reply_is_mailed_with_the_tag_and_a_note_is_not(client, number, desk, outbox_dir):
    replied = _post(client, desk, f"/desk/tickets/{number}/replies", {"text": "Please try the new version."})
    assert replied.status_code == 303 and replied.headers["Location"] == f"/desk/tickets/{number}?done=replied"
    noted = _post(client, desk, f"/desk/tickets/{number}/notes", {"text": "Customer is on 4.2, known bug."})
    assert noted.status_code == 303
    deliver_mail(LATER)
    replies = [name for name in mails(outbox_dir, "") if "Please try the new version." in mail_text(outbox_dir / name)]
    assert len(replies) == 1 and f"[Ticket#{number}]" in (outbox_dir / replies[0]).read_text()
    assert not any("known bug" in mail_text(outbox_dir / name) for name in mails(outbox_dir, ""))
    html = _text(client.http.get(f"/desk/tickets/{number}?done=replied", headers=desk))
    assert "desk-message-agent" in html and "desk-message-internal" in html and "Internal note (never mailed)" in html
    assert "The reply is on its way" in html


def test_take_priority_time_development_and_state_through_the_same_services(client, number, desk, agent):
    assert _post(client, desk, f"/desk/tickets/{number}/assign", {"staff_id": ""}).status_code == 303
    before = body_of(client.http.get(f"/staff/tickets/{number}", headers=agent))
    assert _post(client, desk, f"/desk/tickets/{number}/priority", {"priority": "low"}).status_code == 303
    assert _post(client, desk, f"/desk/tickets/{number}/time", {"hours": "0.5", "description": "Reproduced"}).status_code == 303
    assert _post(client, desk, f"/desk/tickets/{number}/development", {"kind": "bug", "reference": ""}).status_code == 303
    assert _post(client, desk, f"/desk/tickets/{number}/state", {"state": "in_progress"}).status_code == 303
    after = body_of(client.http.get(f"/staff/tickets/{number}", headers=agent))
    assert after["assignee"] == "Alex Agent" and after["state"] == "in_progress" and after["priority"] == "low"
    assert after["first_response_due"] > before["first_response_due"]  # 40 support hours instead of 8
    assert after["development_ticket"] == f"DEV-{number}"
    html = _text(client.http.get(f"/desk/tickets/{number}", headers=desk))
    assert "<dd>0.5 h</dd>" in html and "Reproduced" in html and after["first_response_due"][:16].replace("T", " ") in html


def test_a_state_the_process_does_not_allow_is_refused_naming_the_state(client, number, desk):
    refused = _post(client, desk, f"/desk/tickets/{number}/state", {"state": "waiting_for_customer"})
    assert refused.status_code == 303
    again = _post(client, desk, f"/desk/tickets/{number}/state", {"state": "closed"})
    assert again.status_code == 409 and "state" in body_of(again)["error"]["fields"]
