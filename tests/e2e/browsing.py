"""The browser tests' common steps: Debian's Chromium, axe-core on a page, screenshots, waiting.

One place, so every flow drives the same browser and judges accessibility the same way.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parents[2] / "infra" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # root in a container: Chromium's sandbox needs user namespaces we may not have
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # no calls home: the only network here is the registries
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--window-size=1100,1600",
)
WAIT_SECONDS = 20


def chromium(javascript: bool = True) -> Any:
    """A headless Debian Chromium driven by its chromedriver; the test skips, naming what is missing."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).exists() and not shutil.which(path)]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (`make browser` installs chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    # Both paths given: Selenium Manager has nothing to look up or download.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    return driver


def screenshot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 1000, path


def serious_violations(driver: Any) -> list[str]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([{id: String(e), impact: 'critical', nodes: []}]));"
    )
    return [f"{v['id']}: {[n.get('target') for n in v['nodes']]}" for v in result if v["impact"] in ("serious", "critical")]


def check_page(driver: Any, name: str) -> None:
    """A screenshot for a person, and 0 serious or critical axe-core violations."""
    screenshot(driver, name)
    assert serious_violations(driver) == [], name


def wait_for(driver: Any, condition: Any) -> None:
    """Poll `condition` until it holds; an element replaced mid-poll (a page load, an htmx swap) is polled again."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (StaleElementReferenceException, NoSuchElementException)
    WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=ignored).until(condition)
