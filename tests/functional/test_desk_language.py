"""The desk in the member's language against DynamoDB Local (issue 15 item 7): a member chooses German and the
queue and the ticket page speak it; without a choice the browser's Accept-Language decides; canned replies keep
the account's language."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from shared.api.desk_i18n import desk_translations
from tests.functional.helpers import auth, body_of, desk_member, desk_sign_in, now_header, post_form, post_json
from tests.unit.desk_catalog import desk_msgids

NOW = "2026-11-23T12:00:00+01:00"


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


@pytest.fixture
def admin(client, outbox_dir) -> dict[str, str]:
    desk_member("ada-l@cocoon.example", role="admin", name="Ada Admin")
    cookie, csrf = desk_sign_in(client, outbox_dir, "ada-l@cocoon.example", NOW)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(NOW)}


@pytest.fixture
def number(client, customer) -> str:  # the customer's account speaks German (signup_fields)
    body = {"subject": "Export fails", "description": "Error 500", "impact": "severe"}
    response = post_json(client, "/tickets", body, {**auth(customer), **now_header(NOW)})
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def _choose(client, desk: dict[str, str], language: str) -> Any:
    return post_form(client, "/desk/language", {"language": language, "csrf_token": desk["X-CSRF-Token"]}, desk)


def _lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', page)
    assert match, page[:200]
    return match.group(1)


def english_left_in(page: str) -> list[str]:
    """Desk msgids of two words or more (no placeholder) that German translates and the page still shows in English."""
    german = desk_translations("de")
    shown = html.unescape(re.sub(r"\s+", " ", page))
    return sorted(
        msgid for msgid in desk_msgids()
        if " " in msgid and "%(" not in msgid and german.gettext(msgid) != msgid and msgid in shown
    )


def test_without_a_choice_the_browser_decides_and_english_is_the_fallback(client, admin):
    plain = _text(client.http.get("/desk/home", headers=admin))
    assert _lang(plain) == "en" and "Sign out everywhere" in plain
    assert "Sign out everywhere" in english_left_in(plain)  # the check below sees English where it is
    german = client.http.get("/desk/home", headers={**admin, "Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert _lang(_text(german)) == "de" and "Überall abmelden" in _text(german)
    assert german.headers["Content-Language"] == "de"
    signed_out = _text(client.http.get("/desk", headers={"Accept-Language": "de"}))
    assert _lang(signed_out) == "de" and "Anmeldelink mailen" in signed_out
    assert _lang(_text(client.http.get("/desk", headers={"Accept-Language": "fr, it"}))) == "en"


def test_a_member_chooses_german_and_the_queue_and_ticket_page_speak_it(client, admin, number):
    chosen = _choose(client, admin, "de")
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/desk/home"
    english_browser = {**admin, "Accept-Language": "en"}  # the member's choice wins over the browser's
    queue = _text(client.http.get("/desk/tickets?view=open", headers=english_browser))
    assert _lang(queue) == "de"
    assert "Tickets: Alle offenen" in queue and "Restzeit" in queue and "Warteschlangen" in queue
    assert "<kbd>j</kbd> nächstes Ticket" in queue  # the keyboard help
    assert re.search(r"noch [\d.]+ h|seit [\d.]+ h überfällig", queue)  # the countdown's words
    assert english_left_in(queue) == []
    ticket = _text(client.http.get(f"/desk/tickets/{number}", headers=english_browser))
    assert _lang(ticket) == "de" and "Verlauf" in ticket and "Antwort senden" in ticket and "<strong>Kunde</strong>" in ticket
    assert english_left_in(ticket) == []
    # The codes (state "new", priority "high") are shown in words of the member's language; the API keeps codes.
    assert "<dd>neu</dd>" in ticket and "<dd>hoch</dd>" in ticket and '<option value="urgent">dringend</option>' in ticket
    assert "<td>neu</td>" in queue and "<td>hoch</td>" in queue
    assert _choose(client, admin, "en").status_code == 303
    assert _lang(_text(client.http.get("/desk/tickets", headers={**admin, "Accept-Language": "de"}))) == "en"


def test_every_desk_page_in_german_keeps_no_english_text(client, admin, number, customer):
    assert _choose(client, admin, "de").status_code == 303
    _add = {"language": "de", "title": "Neustart", "text": "Hallo {contact_name}", "csrf_token": admin["X-CSRF-Token"]}
    assert post_form(client, "/desk/canned-replies", _add, admin).status_code == 303
    account_id = customer["account_id"]
    done = post_form(client, f"/desk/tickets/{number}/replies", {"text": "Hallo", "csrf_token": admin["X-CSRF-Token"]}, admin)
    assert done.status_code == 303
    pages = [
        "/desk/home", "/desk/tickets", "/desk/tickets?view=mine", f"/desk/tickets/{number}?done=replied",
        "/desk/accounts", f"/desk/accounts/{account_id}", "/desk/notifications", "/desk/staff",
        "/desk/canned-replies?language=de",
    ]
    for path in pages:
        page = _text(client.http.get(path, headers=admin))
        assert _lang(page) == "de", path
        assert english_left_in(page) == [], path
    searched = post_form(client, "/desk/accounts/search", {"query": "Beispiel", "csrf_token": admin["X-CSRF-Token"]}, admin)
    assert "1 Konto gefunden über Firmenname" in _text(searched) and english_left_in(_text(searched)) == []
    notice = _text(client.http.get(f"/desk/tickets/{number}?done=replied", headers=admin))
    assert "Die Antwort ist unterwegs zum Kunden." in notice  # a notice made in Python, translated where shown


def test_canned_replies_keep_the_accounts_language_whatever_the_desk_speaks(client, admin, number):
    for language, title in (("de", "Neustart"), ("en", "Restart")):
        fields = {"language": language, "title": title, "text": "Hi {contact_name}", "csrf_token": admin["X-CSRF-Token"]}
        assert post_form(client, "/desk/canned-replies", fields, admin).status_code == 303
    for desk_language in ("en", "de"):
        assert _choose(client, admin, desk_language).status_code == 303
        page = _text(client.http.get(f"/desk/tickets/{number}", headers=admin))
        assert _lang(page) == desk_language
        assert "Neustart" in page and "Restart" not in page  # the German account's reply, not the agent's language
