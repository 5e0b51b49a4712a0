"""Shared fixtures: the team's test data folder and a fresh DynamoDB Local (in memory).

The environment is set before any Cocoon module is imported: the storage
models bind their table and endpoint at import, as they do in Lambda.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from infra.dynamodb_local import isolated_environment

# Speed is measured by the benchmarks under bench/, not by tests: on a shared, loaded machine Hypothesis's
# per-example deadline (200 ms) failed properties whose first example loads a year's holiday calendar.
settings.register_profile("cocoon", deadline=None)
settings.load_profile("cocoon")

PROJECT_ROOT = Path(__file__).resolve().parents[1]

_PORT, _RUN_DIR = isolated_environment("cocoon-test-", COCOON_INBOUND_EMAIL_SECRET="test-secret-new,test-secret-old")


def testdata_path() -> Path:
    """Where ../shared/testdata is: COCOON_TESTDATA overrides the default beside the project."""
    return Path(os.environ.get("COCOON_TESTDATA", PROJECT_ROOT.parent / "shared" / "testdata"))


@pytest.fixture(scope="session")
def testdata_dir() -> Path:
    path = testdata_path()
    if not path.is_dir():
        pytest.skip(f"team test data not found at {path} (set COCOON_TESTDATA to its folder)")
    return path


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[str]:
    """One DynamoDB Local per test process, in memory."""
    from infra import dynamodb_local as ddb

    database = ddb.start(port=_PORT)
    try:
        yield database.endpoint
    finally:
        database.stop()


@pytest.fixture
def db(dynamodb_local: str) -> str:
    """Fresh, empty tables (and an empty outbox directory) for one test."""
    import shutil

    from infra.dynamodb_local import create_tables
    from shared.settings import get_settings

    create_tables(dynamodb_local, recreate=True)
    shutil.rmtree(get_settings().outbox_dir, ignore_errors=True)
    return dynamodb_local


@pytest.fixture
def outbox_dir() -> Path:
    from shared.settings import get_settings

    return get_settings().outbox_dir


@pytest.fixture
def client(db: str) -> Iterator[Any]:
    """Chalice's test client on the app, against fresh tables."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="test") as test_client:
        yield test_client


@pytest.fixture
def customer(client: Any, outbox_dir: Path) -> dict[str, Any]:
    """One live business account (admin erika@…, signed up 2 Nov 2026), and no stored files from earlier tests."""
    import shutil

    from shared.settings import get_settings
    from tests.functional.helpers import signup_and_verify

    verified: dict[str, Any] = signup_and_verify(client, outbox_dir, now="2026-11-02T10:00:00+01:00")
    shutil.rmtree(get_settings().attachments_dir, ignore_errors=True)
    return verified


def _staff_token(name: str, address: str, role: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """A staff member added with `cocoon staff add`: the Authorization header of the token it prints."""
    from functions.cli import main as cocoon

    assert cocoon(["staff", "add", name, address, "--role", role]) == 0
    return {"Authorization": f"Bearer {capsys.readouterr().out.strip().splitlines()[-1]}"}


@pytest.fixture
def agent(db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    return _staff_token("Alex Agent", "alex@cocoon.example", "agent", capsys)


@pytest.fixture
def staff_admin(db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    return _staff_token("Ada Admin", "ada@cocoon.example", "admin", capsys)


@pytest.fixture(autouse=True)
def sns_signed_locally(monkeypatch: pytest.MonkeyPatch) -> Any:
    """SNS as the tests play it: the handlers verify every message, and this process's key is the one
    AWS would have signed with (its certificate is what the certificate source answers). Sign with
    `tests.functional.helpers.signed_sns_event` / `signed_sns_record`."""
    from shared import sns_certificates
    from shared.local_sns import local_sns

    signer = local_sns()
    monkeypatch.setattr(sns_certificates, "fetch_certificate", signer.certificate)
    return signer


@pytest.fixture
def billing_clerk(db: str, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    return _staff_token("Bea Billing", "bea@cocoon.example", "billing", capsys)
