"""The solved mail's one-click rating (issue 16): a confirm page on GET, recorded once on POST, in the reader's language."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.functional.account_helpers import account_sign_in, text_of
from tests.functional.helpers import ADMIN, mail_text, now_header, post_form
from tests.functional.rating_helpers import (
    FORM_PAGE,
    PAGE,
    RATED_AT,
    rating_links,
    rating_of,
    solved_mail,
    solved_ticket,
)


def test_the_solved_mail_offers_both_verdicts_and_the_reopening_days(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    text = mail_text(solved_mail(outbox_dir, number))
    assert "innerhalb von 7 Tagen" in text and f"/ticket-ratings/{number}?verdict=good" in text and "verdict=bad" in text


def test_the_link_shows_a_confirm_page_with_its_verdict_and_posting_records_it_once(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    links = rating_links(outbox_dir, number)
    page = client.http.get(links["bad"], headers={**PAGE, **now_header(RATED_AT)})
    assert page.status_code == 200, page.body
    assert 'value="bad" checked' in text_of(page) and 'lang="de"' in text_of(page)  # the account speaks German
    assert rating_of(customer, number) == (None, None)
    done = client.http.post(links["bad"], headers={**FORM_PAGE, **now_header(RATED_AT)},
                            body=urlencode({"comment": "Took two days"}))
    assert done.status_code == 200, done.body
    assert rating_of(customer, number) == ("bad", "Took two days")


def test_the_page_and_the_link_rate_through_the_same_service_the_first_decides(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    links = rating_links(outbox_dir, number)
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN, now=RATED_AT)
    rated = post_form(client, f"/account/tickets/{number}/rating", {"rating": "good", "csrf_token": csrf},
                      {"Cookie": cookie, **now_header(RATED_AT)})
    assert rated.status_code == 303, rated.body
    late = client.http.post(links["bad"], headers={**FORM_PAGE, **now_header(RATED_AT)}, body="")
    assert late.status_code == 409
    assert rating_of(customer, number) == ("good", None)


def test_a_contacts_language_choice_is_remembered_across_redirects_sign_in_and_mail(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN, now=RATED_AT)
    headers = {"Cookie": cookie, **now_header(RATED_AT)}
    chosen = post_form(client, "/account/language", {"language": "pl", "csrf_token": csrf}, headers)
    assert chosen.status_code == 303, chosen.body
    assert 'lang="pl"' in text_of(client.http.get(chosen.headers["Location"], headers=headers))
    # Another form post (a "still broken" reply), and the page its redirect leads to is still Polish.
    replied = post_form(client, f"/account/tickets/{number}/messages", {"text": "Still broken", "csrf_token": csrf},
                        headers)
    assert replied.status_code == 303, replied.body
    assert 'lang="pl"' in text_of(client.http.get(replied.headers["Location"], headers=headers))
    # Signed out and in again by a new mailed link: still Polish.
    out = post_form(client, "/account/sign-out", {"csrf_token": csrf}, headers)
    assert out.status_code in (200, 303), out.body
    again, _ = account_sign_in(client, outbox_dir, ADMIN, now=RATED_AT)
    page = client.http.get("/account/tickets", headers={"Cookie": again, **now_header(RATED_AT)})
    assert 'lang="pl"' in text_of(page) and page.headers["Content-Language"] == "pl"
    # A mail addressed to that contact is Polish: the solved mail of their next ticket (the account speaks German).
    second = solved_ticket(client, customer, agent, subject="Import fails")
    assert "rozwiązaliśmy Państwa zgłoszenie" in mail_text(solved_mail(outbox_dir, second))


def test_an_unknown_language_is_refused_naming_the_field(client, customer, outbox_dir):
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN, now=RATED_AT)
    refused = post_form(client, "/account/language", {"language": "xx", "csrf_token": csrf},
                        {"Cookie": cookie, **now_header(RATED_AT)})
    assert refused.status_code == 400
    assert "language" in text_of(refused)
