"""The customer pages (issue 16): sign-in by mailed link, my tickets, reopening, the subscription page, languages."""

from __future__ import annotations

import re

from shared.storage.models import Ticket
from tests.functional.account_helpers import ACCOUNT_NOW, account_sign_in, staff, text_of
from tests.functional.helpers import ADMIN, auth, body_of, now_header, post_form, post_json

MAX = "max@beispiel.example"


def add_user(client, customer, email: str = MAX, name: str = "Max Muster") -> None:
    added = post_json(
        client, f"/accounts/{customer['account_id']}/users", {"email": email, "name": name},
        {**auth(customer), **now_header(ACCOUNT_NOW)},
    )
    assert added.status_code in (200, 201), added.body


def app_ticket(client, customer, subject: str, email: str | None = None) -> str:
    fields = {"subject": subject, "description": "Error 500", "impact": "severe", **({"email": email} if email else {})}
    response = post_json(client, "/tickets", fields, {**auth(customer), **now_header(ACCOUNT_NOW)})
    assert response.status_code == 201, response.body
    return body_of(response)["number"]


def page(client, cookie: str, path: str, now: str = ACCOUNT_NOW):
    return client.http.get(path, headers={"Cookie": cookie, **now_header(now)})


def test_the_admin_signs_in_sees_the_companys_tickets_and_the_trial_days_left(client, customer, outbox_dir):
    add_user(client, customer)
    mine = app_ticket(client, customer, "Export fails")
    colleagues = app_ticket(client, customer, "Sync stops", email=MAX)
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    listed = text_of(page(client, cookie, "/account/tickets"))
    assert mine in listed and colleagues in listed
    subscription = page(client, cookie, "/account/subscription?lang=en")
    assert subscription.status_code == 200
    days = re.search(r'class="trial-days">Trial: (\d+) days left \(until (.+?)\)', text_of(subscription))
    assert days is not None and days.groups() == ("9", "December 1, 2026"), text_of(subscription)  # 23 Nov to 1 Dec
    assert "Max Muster" in text_of(subscription)


def test_a_contact_sees_only_their_own_tickets(client, customer, outbox_dir):
    add_user(client, customer)
    admins = app_ticket(client, customer, "Export fails")
    maxs = app_ticket(client, customer, "Sync stops", email=MAX)
    cookie, _ = account_sign_in(client, outbox_dir, MAX)
    listed = text_of(page(client, cookie, "/account/tickets"))
    assert maxs in listed and admins not in listed
    assert page(client, cookie, f"/account/tickets/{maxs}").status_code == 200
    assert page(client, cookie, f"/account/tickets/{admins}").status_code == 404
    assert page(client, cookie, "/account/subscription").status_code == 403


def test_the_thread_shows_replies_not_notes_and_a_reply_reopens_a_solved_ticket(client, customer, agent, outbox_dir):
    number = app_ticket(client, customer, "Export fails")
    staff(client, agent, "POST", f"/staff/tickets/{number}/notes", {"text": "Looks like the CSV encoder"})
    staff(client, agent, "POST", f"/staff/tickets/{number}/replies", {"text": "Fixed: please retry."})
    staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "solved"})
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN, now="2026-11-24T09:00:00+01:00")
    shown = text_of(page(client, cookie, f"/account/tickets/{number}?lang=en", now="2026-11-24T09:00:00+01:00"))
    assert "Fixed: please retry." in shown and "CSV encoder" not in shown
    assert "Reopen it until November 30, 2026" in shown
    sent = post_form(
        client, f"/account/tickets/{number}/messages", {"text": "Still broken.", "csrf_token": csrf},
        {"Cookie": cookie, **now_header("2026-11-24T09:05:00+01:00")},
    )
    assert sent.status_code == 303, sent.body
    assert Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}").state == "in_progress"


def test_the_pages_speak_german_and_polish(client, customer, outbox_dir):
    german = text_of(client.http.get("/account?lang=de"))
    assert 'lang="de"' in german and "Anmeldelink senden" in german
    polish = text_of(client.http.get("/account?lang=pl"))
    assert 'lang="pl"' in polish and "Wyślij mi link logowania" in polish
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)  # the account's language is German
    assert "Meine Tickets" in text_of(page(client, cookie, "/account/tickets"))
    german_days = text_of(page(client, cookie, "/account/subscription"))
    assert "Testphase: noch 9 Tage (bis 1. Dezember 2026)." in german_days
    polish_days = text_of(page(client, cookie, "/account/subscription?lang=pl"))
    assert "Okres próbny: zostało 9 dni (do 1 grudnia 2026)." in polish_days


def test_a_contact_opens_a_new_request_with_the_policys_fields(client, customer, outbox_dir):
    add_user(client, customer)
    cookie, csrf = account_sign_in(client, outbox_dir, MAX)
    form = text_of(page(client, cookie, "/account/tickets/new?lang=en"))
    assert 'name="description"' in form and 'name="impact"' in form and 'name="steps"' in form
    fields = {"subject": "Sync stops", "description": "Since the update", "impact": "severe", "steps": "Open sync",
              "others_affected": "true", "csrf_token": csrf}
    opened = post_form(client, "/account/tickets", fields, {"Cookie": cookie, **now_header(ACCOUNT_NOW)})
    assert opened.status_code == 303, opened.body
    number = opened.headers["Location"].rsplit("/", 1)[1]
    ticket = Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}")
    assert ticket.subject == "Sync stops" and ticket.impact == "severe"
    assert "Sync stops" in text_of(page(client, cookie, f"/account/tickets/{number}"))


def test_a_solved_ticket_is_rated_once_with_a_comment(client, customer, agent, outbox_dir):
    number = app_ticket(client, customer, "Export fails")
    staff(client, agent, "POST", f"/staff/tickets/{number}/replies", {"text": "Fixed."})
    staff(client, agent, "POST", f"/staff/tickets/{number}/state", {"state": "solved"})
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN, now="2026-11-24T09:00:00+01:00")
    headers = {"Cookie": cookie, **now_header("2026-11-24T09:00:00+01:00")}
    assert 'value="good"' in text_of(page(client, cookie, f"/account/tickets/{number}", "2026-11-24T09:00:00+01:00"))
    rated = post_form(client, f"/account/tickets/{number}/rating", {"rating": "good", "comment": "Quick!",
                                                                     "csrf_token": csrf}, headers)
    assert rated.status_code == 303, rated.body
    ticket = Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}")
    assert (ticket.rating, ticket.rating_comment) == ("good", "Quick!")
    again = post_form(client, f"/account/tickets/{number}/rating", {"rating": "bad", "csrf_token": csrf}, headers)
    assert again.status_code == 409
    assert Ticket.get(f"ACCOUNT#{customer['account_id']}", f"TICKET#{number}").rating == "good"
