"""Canned replies against DynamoDB Local: an admin keeps them per language, the reply form offers the account's
language's, filled in for the ticket; one whose placeholder has no value is offered as unusable."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.helpers import (
    auth,
    body_of,
    deliver_mail,
    desk_member,
    desk_sign_in,
    mail_text,
    mails,
    now_header,
    post_form,
    post_json,
)

NOW = "2026-11-23T12:00:00+01:00"
GERMAN = "Guten Tag {contact_name},\nzu Ticket {ticket_number}: bitte neu starten.\nViele Grüße, {agent_name}"


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


def _desk(client, outbox_dir, email: str, role: str) -> dict[str, str]:
    desk_member(email, role=role, name="Ada Admin" if role == "admin" else "Alex Agent")
    cookie, csrf = desk_sign_in(client, outbox_dir, email, NOW)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(NOW)}


@pytest.fixture
def admin(client, outbox_dir):
    return _desk(client, outbox_dir, "ada-c@cocoon.example", "admin")


@pytest.fixture
def number(client, customer) -> str:  # the customer's account speaks German (signup_fields)
    body = {"subject": "Export fails", "description": "Error 500", "impact": "severe"}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(NOW)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def _add(client, admin, language: str, title: str, text: str) -> Any:
    fields = {"language": language, "title": title, "text": text, "csrf_token": admin["X-CSRF-Token"]}
    return post_form(client, "/desk/canned-replies", fields, admin)


def test_admin_adds_lists_and_deletes_per_language(client, admin):
    added = _add(client, admin, "de", "Neustart", GERMAN)
    assert added.status_code == 303 and added.headers["Location"] == "/desk/canned-replies?language=de"
    german = _text(client.http.get("/desk/canned-replies?language=de", headers=admin))
    english = _text(client.http.get("/desk/canned-replies?language=en", headers=admin))
    assert "Neustart" in german and "Neustart" not in english
    from shared.storage.canned_replies import replies_in

    (reply,) = replies_in("de")
    deleted = post_form(
        client, f"/desk/canned-replies/de/{reply.reply_id}/delete", {"csrf_token": admin["X-CSRF-Token"]}, admin
    )
    assert deleted.status_code == 303 and replies_in("de") == []


def test_the_reply_form_fills_the_accounts_language_reply_and_the_customer_gets_it(
    client, admin, number, outbox_dir
):
    _add(client, admin, "de", "Neustart", GERMAN)
    _add(client, admin, "en", "Restart", "Hello {contact_name}")
    from shared.storage.canned_replies import replies_in

    (reply,) = replies_in("de")
    page = _text(client.http.get(f"/desk/tickets/{number}", headers=admin))
    assert "Neustart" in page and "Restart" not in page and "Canned reply (de)" in page
    filled = _text(client.http.get(f"/desk/tickets/{number}?canned={reply.reply_id}", headers=admin))
    assert f"Guten Tag Erika Mustermann,\nzu Ticket {number}: bitte neu starten.\nViele Grüße, Ada Admin" in filled
    assert "{contact_name}" not in filled.split('id="reply-text"')[1]
    sent = post_form(
        client, f"/desk/tickets/{number}/replies",
        {"text": f"Guten Tag Erika Mustermann,\nzu Ticket {number}: bitte neu starten.", "csrf_token": admin["X-CSRF-Token"]},
        admin,
    )
    assert sent.status_code == 303
    deliver_mail(NOW)
    assert any("bitte neu starten" in mail_text(outbox_dir / name) for name in mails(outbox_dir, ""))


def test_a_reply_whose_placeholder_has_no_value_is_not_filled(client, admin, customer):
    from shared.storage.canned_replies import replies_in
    from shared.storage.models import Ticket

    body = {"subject": "Export fails", "description": "Error 500", "impact": "severe"}
    number = body_of(post_json(client, "/tickets", body, {**auth(customer), **now_header(NOW)}))["number"]
    ticket = next(t for t in Ticket.lookup_index.query(f"TICKET#{number}") if isinstance(t, Ticket))
    ticket.update(actions=[Ticket.requester_name.set("")])  # a contact without a name
    _add(client, admin, "de", "Neustart", GERMAN)
    (reply,) = replies_in("de")
    page = _text(client.http.get(f"/desk/tickets/{number}?canned={reply.reply_id}", headers=admin))
    assert "no value for {contact_name}" in page
    assert "Guten Tag" not in page.split('id="reply-text"')[1]
