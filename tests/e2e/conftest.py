"""The browser tests' fixtures: the whole app on a loopback port, and a Chromium with axe-core at hand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from infra.dynamodb_local import free_port
from tests.e2e.browsing import AXE, chromium


@pytest.fixture
def server(db: str) -> Iterator[str]:
    """The whole app on a free loopback port, as `make run` serves it."""
    from infra.local_stack import make_server

    port = free_port()
    local = make_server("127.0.0.1", port, stage="test")
    thread = threading.Thread(target=local.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        local.shutdown()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Chromium for the pages that axe-core judges (the desk, the customer pages)."""
    if not AXE.exists():
        pytest.skip(f"not installed: {AXE} (`make install`)")
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()
