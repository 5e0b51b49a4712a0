"""Waiting in the browser tests: one place, so every flow tolerates a page that htmx or a load replaces."""

from __future__ import annotations

from typing import Any

WAIT_SECONDS = 20


def wait_for(driver: Any, condition: Any) -> None:
    """Poll `condition` until it holds; an element replaced mid-poll (a page load, an htmx swap) is polled again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (StaleElementReferenceException, NoSuchElementException)
    WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=ignored).until(condition)
