"""The staff desk in a real browser (headless Debian chromium): sign in through the mailed link, find an
account, open it, lift a suppression, record a letter received on a given day (the confirmation mail names
the effective date); open the queue and a ticket, reply with a canned reply in German, log 0.5 h and solve
it (the customer's mail carries the ticket tag) — and axe-core on every desk page.

Like tests/e2e/test_browser_forms.py: the app on Chalice's local server in a thread against the test
DynamoDB Local; screenshots under tests/artifacts/ (gitignored).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e import browsing
from tests.e2e.browsing import wait_for
from tests.functional.helpers import (
    auth,
    body_of,
    deliver_mail,
    desk_link_from_outbox,
    desk_member,
    mail_text,
    mails,
    now_header,
    post_json,
    signup_and_verify,
)

CLERK = "bea@cocoon.example"








def check_page(driver: Any, name: str) -> None:
    browsing.check_page(driver, f"desk-{name}")


def test_a_clerk_signs_in_finds_an_account_lifts_a_stop_and_records_a_letter(
    server: str, browser: Any, client: Any, outbox_dir: Path
) -> None:
    from babel.dates import format_date
    from selenium.webdriver.common.by import By

    from shared.derived import company_calendar
    from shared.policy import get_policy
    from shared.rules.billing.months import COMPANY_TIME_ZONE
    from shared.rules.cancellation import cancellation_effective_date
    from shared.storage.accounts import get_account
    from shared.storage.suppressions import suppress, suppression_of

    now = datetime.now(UTC).replace(microsecond=0)
    # Signed up three weeks ago, so the letter can have arrived on a day before today.
    verified = signup_and_verify(client, outbox_dir, now=(now - timedelta(days=21)).isoformat())
    converted = post_json(client, f"/accounts/{verified['account_id']}/subscription", {"edition": "team"},
                          {**auth(verified), **now_header(now.isoformat())})
    assert converted.status_code == 200, converted.body
    suppress("erika@beispiel.example", "hard bounce 5.1.1", now, source="ses-bounce")
    desk_member(CLERK, role="admin", name="Bea Admin")  # admin: may lift (agents) and record (clerks)

    browser.get(f"{server}/desk")
    check_page(browser, "sign-in")
    browser.find_element(By.ID, "email").send_keys(CLERK)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(browser, lambda d: "Check your mail" in d.page_source)
    check_page(browser, "link-sent")
    deliver_mail(datetime.now(UTC).isoformat())  # the mail was queued after `now`
    token = desk_link_from_outbox(outbox_dir, CLERK)  # the .eml in COCOON_OUTBOX_DIR
    browser.get(f"{server}/desk/sign-in/confirm?token={token}")
    check_page(browser, "confirm")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(browser, lambda d: d.current_url.endswith("/desk/home"))
    assert token not in browser.current_url
    check_page(browser, "home")

    browser.find_element(By.LINK_TEXT, "Accounts").click()
    wait_for(browser, lambda d: d.current_url.endswith("/desk/accounts"))
    check_page(browser, "search")
    browser.find_element(By.ID, "search-query").send_keys("DE 136 695 976")
    browser.find_element(By.CSS_SELECTOR, "form[role=search] button[type=submit]").click()
    wait_for(browser, lambda d: "found by VAT ID" in d.find_element(By.ID, "search-results").text)
    assert browser.current_url.endswith("/desk/accounts")  # htmx swapped the results in: no page load
    check_page(browser, "search-results")
    browser.find_element(By.LINK_TEXT, "Beispiel GmbH").click()
    wait_for(browser, lambda d: "State and dates" in d.page_source)
    check_page(browser, "account")

    browser.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Lift the stop of')]").click()
    wait_for(browser, lambda d: "goes out again" in d.page_source)
    assert suppression_of("erika@beispiel.example") is None
    check_page(browser, "account-lifted")

    # The letter's day of receipt, not the day it is recorded; days are the company's (Berlin), not UTC's.
    received = now.astimezone(ZoneInfo(COMPANY_TIME_ZONE)).date() - timedelta(days=5)
    policy = get_policy()
    effective = cancellation_effective_date(received, company_calendar(), policy.cancellation.notice_working_days)
    browser.execute_script("document.getElementById('received-on').value = arguments[0]", received.isoformat())
    browser.find_element(By.XPATH, "//button[normalize-space()='Record the cancellation']").click()
    wait_for(browser, lambda d: "The cancellation is recorded." in d.page_source)
    account = get_account(verified["account_id"])
    assert account is not None and account.cancellation is not None
    assert account.cancellation.effective_on == effective.isoformat()
    assert f"the contract ends on <strong>{effective.isoformat()}</strong>" in browser.page_source
    assert "cancellation_recorded" in browser.page_source and "suppression_lifted" in browser.page_source
    check_page(browser, "account-cancelled")

    deliver_mail(datetime.now(UTC).isoformat())  # the confirmation, in the account's language (German)
    (confirmation,) = mails(outbox_dir, "cancellation-")
    text = mail_text(outbox_dir / confirmation)
    assert format_date(effective, format="long", locale="de") in text
    assert format_date(received, format="long", locale="de") in text

    browser.find_element(By.LINK_TEXT, "Staff").click()
    wait_for(browser, lambda d: d.current_url.endswith("/desk/staff"))
    check_page(browser, "staff")


TICKET_ADMIN = "ada-e2e@cocoon.example"
CANNED = "Guten Tag {contact_name},\nbitte starten Sie den Export neu (Ticket {ticket_number}).\n{agent_name}"


def _sign_in_as_admin(driver: Any, base: str, outbox_dir: Path, email: str = TICKET_ADMIN) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/desk")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: "Check your mail" in d.page_source)
    deliver_mail(datetime.now(UTC).isoformat())
    driver.get(f"{base}/desk/sign-in/confirm?token={desk_link_from_outbox(outbox_dir, email)}")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: d.current_url.endswith("/desk/home"))



def _opened_to_be_at_risk_now(now: datetime, priority: str) -> datetime:
    """A moment of opening whose first response is still owed, and due within the at-risk window, at `now`."""
    from shared.derived import support_calendar
    from shared.policy import get_policy
    from shared.rules.support_hours import add_support_hours

    support = get_policy().support
    calendar = support_calendar(support.default_region)
    horizon = add_support_hours(now, support.at_risk_within_hours, calendar)
    for quarter in range(1, 10 * 24 * 4):  # ten days back covers a weekend with holidays
        opened = now - timedelta(minutes=15 * quarter)
        if now < add_support_hours(opened, support.first_response_hours[priority], calendar) <= horizon:
            return opened
    raise AssertionError("no moment of opening puts a ticket at risk now")


def test_an_admin_finds_an_at_risk_ticket_takes_it_replies_in_german_logs_half_an_hour_and_solves(
    server: str, browser: Any, client: Any, outbox_dir: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    at = datetime.now(UTC).replace(microsecond=0)
    customer = signup_and_verify(client, outbox_dir, now=(at - timedelta(days=14)).isoformat())  # a German account
    # Opened long enough ago that its first response is owed within the at-risk window now, at any hour.
    opened_at = _opened_to_be_at_risk_now(at, "urgent").isoformat()
    opened = post_json(client, "/tickets", {"subject": "Export schlägt fehl", "description": "Fehler 500",
                                            "impact": "unusable"}, {**auth(customer), **now_header(opened_at)})
    assert opened.status_code == 201, opened.body
    number = body_of(opened)["number"]
    desk_member(TICKET_ADMIN, role="admin", name="Ada Admin")
    _sign_in_as_admin(browser, server, outbox_dir)

    browser.find_element(By.LINK_TEXT, "Canned replies").click()
    wait_for(browser, lambda d: "/desk/canned-replies" in d.current_url)
    browser.find_element(By.LINK_TEXT, "de").click()
    wait_for(browser, lambda d: "Canned replies: de" in d.page_source)
    browser.find_element(By.ID, "canned-title").send_keys("Export neu starten")
    browser.find_element(By.ID, "canned-text").send_keys(CANNED)
    browser.find_element(By.XPATH, "//button[normalize-space()='Add']").click()
    wait_for(browser, lambda d: "Delete Export neu starten" in d.page_source)
    check_page(browser, "canned-replies")

    browser.find_element(By.LINK_TEXT, "Tickets").click()
    wait_for(browser, lambda d: "Tickets: Mine" in d.page_source)
    assert number not in browser.page_source  # nobody has taken it yet
    check_page(browser, "queue-mine")
    browser.find_element(By.LINK_TEXT, "At risk").click()
    wait_for(browser, lambda d: number in d.page_source)
    assert "h left" in browser.page_source
    check_page(browser, "queue-at-risk")

    browser.find_element(By.LINK_TEXT, number).click()
    wait_for(browser, lambda d: f"Ticket {number}" in d.page_source)
    check_page(browser, "ticket")
    browser.find_element(By.XPATH, "//button[normalize-space()='Assign']").click()  # "me" is preselected: take it
    wait_for(browser, lambda d: "<dd>Ada Admin</dd>" in d.page_source)
    browser.find_element(By.LINK_TEXT, "Tickets").click()
    wait_for(browser, lambda d: "Tickets: Mine" in d.page_source and number in d.page_source)
    browser.find_element(By.LINK_TEXT, number).click()
    wait_for(browser, lambda d: f"Ticket {number}" in d.page_source)
    Select(browser.find_element(By.ID, "canned")).select_by_visible_text("Export neu starten")
    browser.find_element(By.XPATH, "//button[normalize-space()='Fill in']").click()
    wait_for(browser, lambda d: "Guten Tag Erika Mustermann" in d.find_element(By.ID, "reply-text").get_attribute("value"))
    assert "{" not in browser.find_element(By.ID, "reply-text").get_attribute("value")
    check_page(browser, "ticket-canned-filled")
    browser.find_element(By.XPATH, "//button[normalize-space()='Send reply']").click()
    wait_for(browser, lambda d: "The reply is on its way" in d.page_source)
    assert "Agent reply (mailed)" in browser.page_source
    check_page(browser, "ticket-replied")

    browser.find_element(By.ID, "time-hours").send_keys("0.5")
    browser.find_element(By.ID, "time-description").send_keys("Export neu gestartet")
    browser.find_element(By.XPATH, "//button[normalize-space()='Log time']").click()
    wait_for(browser, lambda d: "0.5 h" in d.find_element(By.TAG_NAME, "main").text)
    check_page(browser, "ticket-time-logged")
    browser.find_element(By.XPATH, "//button[@name='state'][@value='solved']").click()
    wait_for(browser, lambda d: "<dd>solved</dd>" in d.page_source)
    check_page(browser, "ticket-solved")
    from shared.storage.models import Ticket

    (ticket,) = [t for t in Ticket.scan() if isinstance(t, Ticket) and t.number == number]
    assert ticket.state == "solved" and ticket.open_queue is None  # out of "all open"

    deliver_mail(datetime.now(UTC).isoformat())
    sent = [name for name in mails(outbox_dir, "") if "bitte starten Sie den Export neu" in mail_text(outbox_dir / name)]
    assert len(sent) == 1 and f"[Ticket#{number}]" in (outbox_dir / sent[0]).read_text()
    assert "To: erika@beispiel.example" in (outbox_dir / sent[0]).read_text()


KEYBOARD_AGENT = "jo-e2e@cocoon.example"


def test_an_agent_moves_through_the_queue_with_j_and_opens_the_second_ticket_with_enter(
    server: str, browser: Any, client: Any, outbox_dir: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    customer = signup_and_verify(client, outbox_dir, now=now)
    for subject, impact in (("Nothing works", "unusable"), ("A typo", "minimal"), ("Export fails", "severe")):
        opened = post_json(client, "/tickets", {"subject": subject, "description": "Fehler 500", "impact": impact},
                           {**auth(customer), **now_header(now)})
        assert opened.status_code == 201, opened.body
    desk_member(KEYBOARD_AGENT, role="agent", name="Jo Agent")
    _sign_in_as_admin(browser, server, outbox_dir, KEYBOARD_AGENT)

    browser.get(f"{server}/desk/tickets?view=open")
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#queue-rows a")) == 3)
    assert "Enter" in browser.find_element(By.ID, "queue-keys").text  # the keys are shown on the page
    in_order = [link.text for link in browser.find_elements(By.CSS_SELECTOR, "#queue-rows a")]
    ActionChains(browser).send_keys("j").perform()
    assert browser.switch_to.active_element.text == in_order[0]
    ActionChains(browser).send_keys("j").perform()
    assert browser.switch_to.active_element.text == in_order[1]
    check_page(browser, "queue-keyboard-selection")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_for(browser, lambda d: d.current_url.endswith(f"/desk/tickets/{in_order[1]}"))
    assert f"Ticket {in_order[1]}" in browser.page_source

    # Typing in a field is typing: an r in the internal note stays there; outside a field r goes to the reply.
    note = browser.find_element(By.ID, "note-text")
    note.send_keys("r")
    assert browser.switch_to.active_element.get_attribute("id") == "note-text" and note.get_attribute("value") == "r"
    browser.find_element(By.TAG_NAME, "h1").click()
    ActionChains(browser).send_keys("r").perform()
    assert browser.switch_to.active_element.get_attribute("id") == "reply-text"
    assert browser.find_element(By.ID, "reply-text").get_attribute("value") == ""  # focused, nothing typed


GERMAN_AGENT = "greta-e2e@cocoon.example"


def test_an_agent_chooses_german_and_the_queue_speaks_it(
    server: str, browser: Any, client: Any, outbox_dir: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    customer = signup_and_verify(client, outbox_dir, now=now)
    opened = post_json(client, "/tickets", {"subject": "Export schlägt fehl", "description": "Fehler 500",
                                            "impact": "severe"}, {**auth(customer), **now_header(now)})
    assert opened.status_code == 201, opened.body
    desk_member(GERMAN_AGENT, role="agent", name="Greta Agentin")
    _sign_in_as_admin(browser, server, outbox_dir, GERMAN_AGENT)

    Select(browser.find_element(By.ID, "desk-language")).select_by_value("de")
    browser.find_element(By.XPATH, "//button[normalize-space()='Save the language']").click()
    wait_for(browser, lambda d: "Überall abmelden" in d.page_source)
    browser.find_element(By.LINK_TEXT, "Tickets").click()
    wait_for(browser, lambda d: "Tickets: Meine" in d.page_source)
    browser.find_element(By.LINK_TEXT, "Alle offenen").click()
    wait_for(browser, lambda d: body_of(opened)["number"] in d.page_source)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert "Restzeit" in browser.page_source and "Time left" not in browser.page_source
    assert "Tasten:" in browser.find_element(By.ID, "queue-keys").text
    check_page(browser, "queue-open-de")  # the German screenshot, and axe on it (lang="de")
