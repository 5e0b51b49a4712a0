"""The signup page and the support form, as a person uses them: headless Chromium fills them in.

The app runs on Chalice's local server in a thread, against the test DynamoDB
Local; the browser is Debian's chromium with its matching chromedriver
(`make browser` installs both: Selenium's and Playwright's own downloads do
not work here). Screenshots go to tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.storage.models import Account, CocoonItem, Ticket
from tests.e2e.browsing import ARTIFACTS, WAIT_SECONDS, chromium
from tests.functional.helpers import signup_and_verify


@pytest.fixture
def browser() -> Iterator[Any]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser_without_javascript() -> Iterator[Any]:
    driver = chromium(javascript=False)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: Any, name: str) -> Path:
    """The whole page from its top, kept for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    height = int(driver.execute_script("return Math.ceil(document.body.getBoundingClientRect().bottom) + 48"))
    # The viewport as tall as the page (capped): one picture, no scrollbar, nothing cut off.
    metrics = {"width": 1100, "height": max(600, min(height, 6000)), "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    path = ARTIFACTS / f"{name}.png"
    try:
        assert driver.save_screenshot(str(path)), f"Chromium could not save {path}"
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert path.stat().st_size > 1000, f"{path} is (nearly) empty"
    return path


def fill(driver: Any, fields: dict[str, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    for name, value in fields.items():
        element = driver.find_element(By.ID, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)


def submit_and_wait(driver: Any) -> tuple[str, str]:
    """Press the form's button; wait for the status box's answer. Returns its class and text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.find_element(By.CSS_SELECTOR, "form.cocoon-form button[type=submit]").click()
    status = driver.find_element(By.ID, "form-status")
    WebDriverWait(driver, WAIT_SECONDS).until(lambda _: status.text.strip())
    return str(status.get_attribute("class")), str(status.text)


def test_the_forms_ask_for_every_field_the_endpoints_take(client: Any) -> None:
    """No browser needed: each page's form posts to its endpoint and names every field of its contract."""
    import re

    from shared.contracts import SignupRequest, TicketRequest

    for path, action, model in (("/", "/signup", SignupRequest), ("/support", "/tickets", TicketRequest)):
        response = client.http.get(path)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
        page = response.body.decode()
        assert f'method="post" action="{action}"' in page
        names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="(\w+)"', page))
        assert set(model.model_fields) <= names, set(model.model_fields) - names
        for name in set(model.model_fields) - {"website"}:
            assert f'id="error-{name}"' in page, f"{path}: no error slot for {name}"
        nonce = re.search(r"script-src 'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        assert nonce and f'<script nonce="{nonce.group(1)}">' in page  # only our own script runs
        assert "<script src" not in page  # no framework, nothing from elsewhere


def test_the_signup_page_offers_every_language_preselecting_the_browsers(client: Any) -> None:
    from shared.policy import get_policy

    page = client.http.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}).body.decode()
    for code in get_policy().languages:
        assert f'<option value="{code}"' in page
    assert '<option value="pl" selected>Polski</option>' in page
    assert 'tabindex="-1" autocomplete="off"' in page  # the spam trap stays out of people's way


def accounts() -> list[Account]:
    return [item for item in CocoonItem.scan(consistent_read=True) if isinstance(item, Account)]


def test_a_person_signs_up_in_the_browser_and_sees_errors_next_to_the_field(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/")
    assert "Cocoon" in browser.title
    assert not browser.find_element(By.ID, "website").is_displayed()  # the spam trap is not for people
    fill(
        browser,
        {
            "company_name": "Lindqvist Logistik GmbH",
            "organization_type": "company",
            "country": "DE",
            "vat_id": "DE123",
            "admin_name": "Mia Lindqvist",
            "admin_email": "mia@lindqvist.example",
            "language": "de",
            "city": "Hamburg",
        },
    )
    browser.find_element(By.ID, "accept_dpa").click()

    kind, text = submit_and_wait(browser)
    assert "failed" in kind and "VAT" in text
    vat_error = browser.find_element(By.ID, "error-vat_id")
    assert "not a valid VAT ID" in vat_error.text
    vat_input = browser.find_element(By.ID, "vat_id")
    assert vat_input.get_attribute("aria-invalid") == "true"
    assert "error-vat_id" in str(vat_input.get_attribute("aria-describedby"))
    assert browser.execute_script(
        "return document.getElementById('error-vat_id').parentElement === "
        "document.getElementById('vat_id').parentElement"
    ), "the VAT error is not next to the VAT field"
    assert browser.switch_to.active_element == vat_input  # focus moves to the field to fix
    assert browser.find_element(By.ID, "error-company_name").text == ""  # other fields show no error
    assert accounts() == []  # a refused signup stores nothing
    screenshot(browser, "signup-vat-error")

    fill(browser, {"vat_id": "DE136695976"})
    kind, text = submit_and_wait(browser)
    assert "ok" in kind and "inbox" in text, text
    assert vat_input.get_attribute("aria-invalid") is None
    assert not browser.find_element(By.CSS_SELECTOR, "form.cocoon-form").is_displayed()  # done: the form goes
    shot = screenshot(browser, "signup-done")
    assert shot.stat().st_size > 0

    [account] = accounts()
    assert account.state == "pending_verification"
    assert (account.company_name, account.vat_id, account.language) == ("Lindqvist Logistik GmbH", "DE136695976", "de")
    assert account.admin_email == "mia@lindqvist.example" and account.city == "Hamburg"


def test_a_missing_dpa_consent_is_shown_at_the_checkbox(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/")
    fill(
        browser,
        {
            "company_name": "Nordlicht AG",
            "country": "AT",
            "admin_name": "Jonas Berg",
            "admin_email": "jonas@nordlicht.example",
        },
    )
    # The browser's own check would stop an unticked required box; a person with an old browser gets ours.
    browser.execute_script("document.getElementById('accept_dpa').removeAttribute('required')")
    kind, _ = submit_and_wait(browser)
    assert "failed" in kind
    assert browser.find_element(By.ID, "error-accept_dpa").text.strip()
    assert browser.find_element(By.ID, "accept_dpa").get_attribute("aria-invalid") == "true"
    assert accounts() == []


def test_a_customer_contact_reports_a_problem_with_the_support_form(
    server: str, browser: Any, client: Any, outbox_dir: Path
) -> None:
    from selenium.webdriver.common.by import By

    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    signup_and_verify(client, outbox_dir, email="erika@beispiel.example", now=now)

    browser.get(f"{server}/support")
    fill(
        browser,
        {
            "email": "erika@beispiel.example",
            "subject": "Export to Excel fails with error 500",
            "description": "Since the update, exporting the customer list stops with error 500.",
            "impact": "severe",
            "steps": "Customers → Export → Excel",
            "since": "this morning",
            "others_affected": "true",
            "version": "5.2",
            "technical_contact": "IT desk, +49 711 123456",
        },
    )
    screenshot(browser, "support-form")
    kind, text = submit_and_wait(browser)
    assert "ok" in kind, text
    assert not browser.find_element(By.CSS_SELECTOR, "form.cocoon-form").is_displayed()
    screenshot(browser, "support-done")

    [ticket] = [item for item in CocoonItem.scan(consistent_read=True) if isinstance(item, Ticket)]
    assert ticket.number in text
    assert (ticket.subject, ticket.channel, ticket.priority) == ("Export to Excel fails with error 500", "form", "high")
    assert ticket.requester_email == "erika@beispiel.example"
    assert ticket.details["others_affected"] is True and ticket.details["version"] == "5.2"


def test_a_stranger_sees_why_the_support_form_refused(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/support")
    fill(browser, {"email": "nobody@elsewhere.example", "description": "Help"})
    kind, _ = submit_and_wait(browser)
    assert "failed" in kind
    assert "business customers" in browser.find_element(By.ID, "error-email").text
    assert not [item for item in CocoonItem.scan(consistent_read=True) if isinstance(item, Ticket)]


def test_the_signup_form_works_without_javascript(server: str, browser_without_javascript: Any) -> None:
    """The plain form post reaches the endpoint (the browser then shows its JSON answer)."""
    import json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser_without_javascript
    driver.get(f"{server}/")
    fill(
        driver,
        {
            "company_name": "Ohne Skript KG",
            "country": "DE",
            "admin_name": "Lena Ohne",
            "admin_email": "lena@ohne-skript.example",
        },
    )
    driver.find_element(By.ID, "accept_dpa").click()
    driver.find_element(By.CSS_SELECTOR, "form.cocoon-form button[type=submit]").click()
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: d.current_url.endswith("/signup"))
    answer = json.loads(driver.find_element(By.TAG_NAME, "body").text)
    assert answer["status"] == "verification_sent"
    [account] = accounts()
    assert (account.company_name, account.state) == ("Ohne Skript KG", "pending_verification")
