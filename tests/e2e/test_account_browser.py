"""The customer pages in a real browser (headless Debian chromium, issue 16): a trial admin signs in, sees the
days left, becomes a customer with an address, adds a user, opens a request with a screenshot, reads the
agent's reply, reopens the solved ticket, rates it, previews and confirms a cancellation; pages in German and
Polish; axe-core on every page (0 serious or critical). Screenshots under tests/artifacts/ (gitignored).

The first flow runs at the real moment, so its cancellation's day is checked against the notice rule for today;
a second flow sends every request of the browser at a moment the local stage may travel to (X-Cocoon-Now, set
through Chromium's DevTools), the working day after a month's deadline, and sees the end of next month.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e import browsing
from tests.e2e.browsing import wait_for
from tests.functional.account_helpers import account_link_from_outbox
from tests.functional.helpers import (
    ADMIN,
    auth,
    deliver_mail,
    mail_text,
    mails,
    now_header,
    post_json,
    signup_and_verify,
)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)






def check_page(driver: Any, name: str) -> None:
    browsing.check_page(driver, f"account-{name}")


def sign_in(driver: Any, server: str, outbox_dir: Path, email: str, language: str = "en",
            at: datetime | None = None) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{server}/account?lang={language}")
    check_page(driver, f"sign-in-{language}")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(driver, lambda d: "/account/sign-in" in d.current_url)
    deliver_mail((at or datetime.now(UTC)).isoformat())
    token = account_link_from_outbox(outbox_dir, email)
    driver.get(f"{server}/account/sign-in/confirm?token={token}&lang={language}")
    check_page(driver, f"confirm-{language}")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(driver, lambda d: "/account/tickets" in d.current_url)


def staff_call(client: Any, agent: dict[str, str], path: str, body: dict[str, Any]) -> None:
    done = post_json(client, path, body, {**agent, **now_header(datetime.now(UTC).isoformat())})
    assert done.status_code in (200, 201), done.body


def test_a_trial_admin_becomes_a_customer_gets_help_rates_it_and_cancels(
    server: str, browser: Any, client: Any, agent: dict[str, str], outbox_dir: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    from shared.storage.accounts import get_account
    from shared.storage.models import Ticket

    now = datetime.now(UTC).replace(microsecond=0)
    verified = signup_and_verify(client, outbox_dir, now=now.isoformat())
    sign_in(browser, server, outbox_dir, ADMIN)
    check_page(browser, "tickets")

    browser.get(f"{server}/account/subscription?lang=en")
    assert re.search(r"Trial: \d+ days left", browser.page_source)
    check_page(browser, "subscription-trial")
    for name, value in {"street": "Hauptstraße 1", "postcode": "10115", "city": "Berlin"}.items():
        browser.find_element(By.ID, name).send_keys(value)
    browser.find_element(By.XPATH, "//section[@id='become-customer']//button[@type='submit']").click()
    wait_for(browser, lambda d: "done=customer" in d.current_url)
    assert get_account(verified["account_id"]).state == "customer"
    browser.find_element(By.ID, "user-name").send_keys("Max Muster")
    browser.find_element(By.ID, "user-email").send_keys("max@beispiel.example")
    browser.find_element(By.XPATH, "//form[@id='add-user']//button").click()
    wait_for(browser, lambda d: "done=user" in d.current_url and "Max Muster" in d.page_source)
    check_page(browser, "subscription-customer")

    browser.get(f"{server}/account/tickets/new?lang=en")
    check_page(browser, "new-request")
    browser.find_element(By.ID, "subject").send_keys("Export fails")
    browser.find_element(By.ID, "description").send_keys("The CSV export stops with error 500.")
    browser.find_element(By.XPATH, "//main//form//button[@type='submit']").click()
    wait_for(browser, lambda d: re.search(r"/account/tickets/[0-9]", d.current_url))
    number = browser.current_url.rsplit("/", 1)[1]
    screenshot_file = tmp_path / "screen.png"
    screenshot_file.write_bytes(PNG)
    browser.find_element(By.ID, "file").send_keys(str(screenshot_file))
    browser.find_element(By.XPATH, "//form[@id='upload']//button").click()
    wait_for(browser, lambda d: "done=uploaded" in d.current_url)
    check_page(browser, "ticket-uploaded")

    staff_call(client, agent, f"/staff/tickets/{number}/replies", {"text": "Fixed in 4.2: please retry."})
    staff_call(client, agent, f"/staff/tickets/{number}/state", {"state": "solved"})
    # The solved mail's rating link: its page asks first (a GET never records) and passes axe.
    deliver_mail(datetime.now(UTC).isoformat())
    (solved_mail,) = mails(outbox_dir, f"ticket-solved-{number}-")
    link = re.search(r"https?://[^/\s]+(/ticket-ratings/\S+verdict=good\S*)", mail_text(outbox_dir / solved_mail))
    assert link is not None
    browser.get(f"{server}{link.group(1)}")
    assert browser.find_elements(By.CSS_SELECTOR, "form[method=post]")
    check_page(browser, "rating-link-confirm")
    assert Ticket.get(f"ACCOUNT#{verified['account_id']}", f"TICKET#{number}").rating is None

    browser.get(f"{server}/account/tickets/{number}?lang=en")
    assert "Fixed in 4.2" in browser.page_source and "Reopen it until" in browser.page_source
    check_page(browser, "ticket-solved")
    browser.find_element(By.ID, "text").send_keys("Still broken after the update.")
    browser.find_element(By.XPATH, "//button[normalize-space()='Reopen']").click()
    wait_for(browser, lambda d: "Still broken after the update." in d.page_source)
    assert Ticket.get(f"ACCOUNT#{verified['account_id']}", f"TICKET#{number}").state == "in_progress"

    staff_call(client, agent, f"/staff/tickets/{number}/state", {"state": "solved"})
    browser.get(f"{server}/account/tickets/{number}?lang=en")
    browser.find_element(By.ID, "comment").send_keys("Quick help, thank you")
    browser.find_element(By.XPATH, "//form[@id='rating']//button[@value='good']").click()
    wait_for(browser, lambda d: "done=rated" in d.current_url)  # the account's language (German) again
    assert "Danke für Ihre Bewertung." in browser.page_source
    assert Ticket.get(f"ACCOUNT#{verified['account_id']}", f"TICKET#{number}").rating == "good"
    check_page(browser, "ticket-rated")

    browser.get(f"{server}/account/subscription/cancellation?lang=en")
    shown = re.search(r'name="effective_on" value="([0-9-]+)"', browser.page_source)
    assert shown is not None and "your contract ends on" in browser.page_source
    assert get_account(verified["account_id"]).cancellation is None  # shown before the admin confirms
    check_page(browser, "cancel-preview")
    browser.find_element(By.XPATH, "//button[normalize-space()='Confirm the cancellation']").click()
    wait_for(browser, lambda d: "done=cancelled" in d.current_url)
    assert get_account(verified["account_id"]).cancellation.effective_on == shown.group(1)
    check_page(browser, "subscription-cancelled")

    browser.get(f"{server}/account/billing?lang=en")
    check_page(browser, "billing")
    browser.get(f"{server}/account/subscription?lang=de")
    assert "Ihr Vertrag endet am" in browser.page_source
    check_page(browser, "subscription-de")
    browser.get(f"{server}/account/subscription?lang=pl")
    assert "Twoja umowa kończy się" in browser.page_source and "Wycofaj wypowiedzenie" in browser.page_source
    check_page(browser, "subscription-pl")
    browser.find_element(By.XPATH, "//button[normalize-space()='Wycofaj wypowiedzenie']").click()
    wait_for(browser, lambda d: "done=withdrawn" in d.current_url)
    assert get_account(verified["account_id"]).cancellation is None


def test_the_german_and_polish_sign_in_and_new_request(server: str, browser: Any, client: Any,
                                                      outbox_dir: Path) -> None:
    signup_and_verify(client, outbox_dir, now=datetime.now(UTC).replace(microsecond=0).isoformat())
    sign_in(browser, server, outbox_dir, ADMIN, "de")
    browser.get(f"{server}/account/tickets/new?lang=de")
    assert "Was funktioniert nicht?" in browser.page_source
    check_page(browser, "new-request-de")
    browser.get(f"{server}/account/tickets/new?lang=pl")
    assert "Co nie działa?" in browser.page_source
    check_page(browser, "new-request-pl")


def _first_day_after_a_months_deadline(today: date) -> date:
    """The first day of next month's second half whose cancellation only ends the month after (notice rule)."""
    from shared.derived import company_calendar
    from shared.policy import get_policy
    from shared.rules.cancellation import cancellation_effective_date

    notice = get_policy().cancellation.notice_working_days
    start = (today.replace(day=1) + timedelta(days=32)).replace(day=15)
    for offset in range(17):
        day = start + timedelta(days=offset)
        if cancellation_effective_date(day, company_calendar(), notice).month != day.month:
            return day
    raise AssertionError("no day after the deadline in the second half of the month")


def test_a_cancellation_received_after_the_months_deadline_shows_the_end_of_next_month(
    server: str, browser: Any, client: Any, outbox_dir: Path
) -> None:
    from selenium.webdriver.common.by import By

    from shared.derived import company_calendar
    from shared.policy import get_policy
    from shared.rules.billing.months import COMPANY_TIME_ZONE
    from shared.rules.cancellation import cancellation_effective_date
    from shared.storage.accounts import get_account

    received = _first_day_after_a_months_deadline(datetime.now(UTC).date())
    at = datetime.combine(received, time(10, 0), ZoneInfo(COMPANY_TIME_ZONE)).astimezone(UTC)
    expected = cancellation_effective_date(received, company_calendar(), get_policy().cancellation.notice_working_days)
    assert expected.month != received.month  # the end of next month, not of this one

    verified = signup_and_verify(client, outbox_dir, now=(at - timedelta(days=20)).isoformat())
    converted = post_json(client, f"/accounts/{verified['account_id']}/subscription", {"edition": "team"},
                          {**auth(verified), **now_header((at - timedelta(days=19)).isoformat())})
    assert converted.status_code == 200, converted.body
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": now_header(at.isoformat())})
    sign_in(browser, server, outbox_dir, ADMIN, at=at)

    browser.get(f"{server}/account/subscription/cancellation?lang=en")
    shown = re.search(r'name="effective_on" value="([0-9-]+)"', browser.page_source)
    assert shown is not None and shown.group(1) == expected.isoformat(), browser.page_source[:2000]
    assert get_account(verified["account_id"]).cancellation is None  # shown before the admin confirms
    check_page(browser, "cancel-preview-after-deadline")
    browser.find_element(By.XPATH, "//button[normalize-space()='Confirm the cancellation']").click()
    wait_for(browser, lambda d: "done=cancelled" in d.current_url)
    cancellation = get_account(verified["account_id"]).cancellation
    assert cancellation is not None and cancellation.effective_on == expected.isoformat()
    assert cancellation.received_on == received.isoformat()
