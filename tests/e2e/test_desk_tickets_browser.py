"""The desk's ticket work in a real browser (headless Debian chromium): an admin keeps a German canned reply,
opens the queue, opens the customer's ticket, fills the reply in from the canned one and sends it — the
customer receives it with the ticket tag; axe-core on every new page (0 serious/critical), screenshots
under tests/artifacts/ (gitignored).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.e2e.test_desk_browser import browser, check_page, server, wait_for  # noqa: F401  (fixtures)
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

ADMIN = "ada-e2e@cocoon.example"
CANNED = "Guten Tag {contact_name},\nbitte starten Sie den Export neu (Ticket {ticket_number}).\n{agent_name}"


def _sign_in(driver: Any, server: str, outbox_dir: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{server}/desk")
    driver.find_element(By.ID, "email").send_keys(ADMIN)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: "Check your mail" in d.page_source)
    deliver_mail(datetime.now(UTC).isoformat())
    driver.get(f"{server}/desk/sign-in/confirm?token={desk_link_from_outbox(outbox_dir, ADMIN)}")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, lambda d: d.current_url.endswith("/desk/home"))


def test_an_admin_opens_the_queue_and_the_ticket_and_replies_with_a_canned_reply_in_german(
    server: str, browser: Any, client: Any, outbox_dir: Path  # noqa: F811
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    customer = signup_and_verify(client, outbox_dir, now=now)  # a German account
    opened = post_json(client, "/tickets", {"subject": "Export schlägt fehl", "description": "Fehler 500",
                                            "impact": "severe"}, {**auth(customer), **now_header(now)})
    assert opened.status_code == 201, opened.body
    number = body_of(opened)["number"]
    desk_member(ADMIN, role="admin", name="Ada Admin")
    _sign_in(browser, server, outbox_dir)

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
    check_page(browser, "queue-mine")
    browser.find_element(By.LINK_TEXT, "All open").click()
    wait_for(browser, lambda d: number in d.page_source)
    assert "h left" in browser.page_source or "overdue by" in browser.page_source
    check_page(browser, "queue-open")

    browser.find_element(By.LINK_TEXT, number).click()
    wait_for(browser, lambda d: f"Ticket {number}" in d.page_source)
    check_page(browser, "ticket")
    Select(browser.find_element(By.ID, "canned")).select_by_visible_text("Export neu starten")
    browser.find_element(By.XPATH, "//button[normalize-space()='Fill in']").click()
    wait_for(browser, lambda d: "Guten Tag Erika Mustermann" in d.find_element(By.ID, "reply-text").get_attribute("value"))
    assert "{" not in browser.find_element(By.ID, "reply-text").get_attribute("value")
    check_page(browser, "ticket-canned-filled")
    browser.find_element(By.XPATH, "//button[normalize-space()='Send reply']").click()
    wait_for(browser, lambda d: "The reply is on its way" in d.page_source)
    assert "Agent reply (mailed)" in browser.page_source
    check_page(browser, "ticket-replied")

    deliver_mail(datetime.now(UTC).isoformat())
    sent = [name for name in mails(outbox_dir, "") if "bitte starten Sie den Export neu" in mail_text(outbox_dir / name)]
    assert len(sent) == 1 and f"[Ticket#{number}]" in (outbox_dir / sent[0]).read_text()
    assert "To: erika@beispiel.example" in (outbox_dir / sent[0]).read_text()
