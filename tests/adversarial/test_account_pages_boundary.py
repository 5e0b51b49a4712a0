"""The customer pages' boundary (issue 16): each test is an attacker's attempt and the refusal it must meet."""

from __future__ import annotations

from shared.storage.models import Ticket, TicketMessage
from tests.functional.account_helpers import ACCOUNT_NOW, account_request_link, account_sign_in, staff, text_of
from tests.functional.helpers import (
    ADMIN,
    auth,
    body_of,
    desk_cookie_of,
    desk_member,
    desk_sign_in,
    now_header,
    post_form,
    post_json,
    signup_and_verify,
    ticket_messages,
)

OTHER = "olga@anders.example"


def _ticket(client, account, subject: str = "Export fails", email: str | None = None) -> str:
    fields = {"subject": subject, "description": "Error 500", "impact": "severe", **({"email": email} if email else {})}
    response = post_json(client, "/tickets", fields, {**auth(account), **now_header(ACCOUNT_NOW)})
    assert response.status_code == 201, response.body
    return body_of(response)["number"]


def test_another_accounts_ticket_by_number_is_not_found_to_read_or_to_write(client, customer, outbox_dir):
    other = signup_and_verify(client, outbox_dir, email=OTHER, now="2026-11-02T10:00:00+01:00")
    theirs = _ticket(client, other, "Secret plans")
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    shown = client.http.get(f"/account/tickets/{theirs}", headers=headers)
    assert shown.status_code == 404 and "Secret plans" not in text_of(shown)
    assert "Secret plans" not in text_of(client.http.get("/account/tickets", headers=headers))
    before = len(ticket_messages())
    written = post_form(client, f"/account/tickets/{theirs}/messages", {"text": "hi", "csrf_token": csrf}, headers)
    assert written.status_code == 404 and len(ticket_messages()) == before


def test_a_contact_never_reads_internal_notes(client, customer, agent, outbox_dir):
    number = _ticket(client, customer)
    staff(client, agent, "POST", f"/staff/tickets/{number}/notes", {"text": "Customer is on the old build"})
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    shown = client.http.get(f"/account/tickets/{number}", headers={"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert shown.status_code == 200 and "old build" not in text_of(shown)


def test_a_contact_cannot_use_the_admins_subscription_page_nor_a_colleagues_ticket(client, customer, outbox_dir):
    added = post_json(
        client, f"/accounts/{customer['account_id']}/users", {"email": "max@beispiel.example", "name": "Max"},
        {**auth(customer), **now_header(ACCOUNT_NOW)},
    )
    assert added.status_code in (200, 201)
    admins = _ticket(client, customer, "Payroll export")
    cookie, csrf = account_sign_in(client, outbox_dir, "max@beispiel.example")
    headers = {"Cookie": cookie, **now_header(ACCOUNT_NOW)}
    assert client.http.get("/account/subscription", headers=headers).status_code == 403
    assert client.http.get(f"/account/tickets/{admins}", headers=headers).status_code == 404
    reply = post_form(client, f"/account/tickets/{admins}/messages", {"text": "x", "csrf_token": csrf}, headers)
    assert reply.status_code == 404


def test_a_customer_cookie_never_opens_the_desk_and_a_desk_cookie_never_opens_the_account(client, customer, outbox_dir):
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    value = cookie.split("=", 1)[1]
    for attempt in (cookie, f"cocoon_desk_local={value}", f"__Host-cocoon_desk={value}"):
        desk = client.http.get("/desk/home", headers={"Cookie": attempt, **now_header(ACCOUNT_NOW)})
        assert desk.status_code == 303 and desk.headers.get("Location") == "/desk"
    desk_member("ada@cocoon.example", role="admin")
    desk_cookie, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example", now=ACCOUNT_NOW)
    desk_value = desk_cookie.split("=", 1)[1]
    for attempt in (desk_cookie, f"cocoon_account_local={desk_value}"):
        page = client.http.get("/account/tickets", headers={"Cookie": attempt, **now_header(ACCOUNT_NOW)})
        assert page.status_code == 303 and page.headers.get("Location") == "/account"


def test_a_reused_or_expired_sign_in_link_is_refused(client, customer, outbox_dir):
    token = account_request_link(client, outbox_dir, ADMIN)
    first = post_form(client, "/account/sign-in/confirm", {"token": token}, now_header(ACCOUNT_NOW))
    assert first.status_code == 303 and desk_cookie_of(first)
    again = post_form(client, "/account/sign-in/confirm", {"token": token}, now_header(ACCOUNT_NOW))
    assert again.status_code in (404, 409) and "Set-Cookie" not in again.headers
    late_token = account_request_link(client, outbox_dir, ADMIN, now="2026-11-23T11:00:00+01:00")
    late = post_form(client, "/account/sign-in/confirm", {"token": late_token}, now_header("2026-11-23T11:16:00+01:00"))
    assert late.status_code == 410 and "Set-Cookie" not in late.headers


def test_a_stranger_gets_the_same_answer_and_no_mail(client, customer, outbox_dir):
    known = post_form(client, "/account/sign-in", {"email": ADMIN}, now_header(ACCOUNT_NOW))
    unknown = post_form(client, "/account/sign-in", {"email": "nobody@nowhere.example"}, now_header(ACCOUNT_NOW))
    assert known.status_code == unknown.status_code == 200 and text_of(known) == text_of(unknown)


def test_a_post_without_the_csrf_token_writes_nothing(client, customer, outbox_dir):
    number = _ticket(client, customer)
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    before = len(ticket_messages())
    answer = post_form(client, f"/account/tickets/{number}/messages", {"text": "forged"},
                       {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert answer.status_code == 403 and len(ticket_messages()) == before


def test_still_broken_by_mail_to_a_solved_ticket_reopens_it_not_a_closed_notice(client, customer, agent):
    from tests.functional.helpers import a_raw_mail, take_in

    number = _ticket(client, customer)
    staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "solved"})
    outcome = take_in(client, a_raw_mail(ADMIN, f"Re: [Ticket#{number}] Export fails", "Still broken."),
                      now="2026-11-24T09:00:00+01:00")
    assert outcome["outcome"] == "message_added"
    assert Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}").state == "in_progress"
    assert any(isinstance(m, TicketMessage) and m.text.startswith("Still broken") for m in ticket_messages())
