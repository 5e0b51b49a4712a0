"""Sender authenticity on both mail paths with genuine (passing) verdicts, and strangers' mail."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from shared.settings import get_settings
from shared.storage.models import CocoonItem, UnverifiedMail
from tests.functional.helpers import (
    ADMIN,
    a_mail,
    scan_table,
    signed_sns_event,
    stored_files,
    table_snapshot,
    take_in,
    tickets,
)

RELAY = "mx.cocoon.example"


def _ses_event(testdata_dir: Path, raw: bytes, receipt: dict[str, Any] | None = None) -> dict[str, Any]:
    event = json.loads((testdata_dir / "aws_events/composed/snsEvent_with_ses_received_notification.json").read_text())
    notification = json.loads(event["Records"][0]["Sns"]["Message"])
    notification["content"] = raw.decode("utf-8")
    if receipt is not None:
        notification["receipt"] = receipt
    event["Records"][0]["Sns"]["Message"] = json.dumps(notification)
    return event


def _via_ses(event: dict[str, Any]) -> None:
    import app as app_module

    app_module.inbound_email_from_ses(signed_sns_event(copy.deepcopy(event)), None)


def _held() -> list[UnverifiedMail]:
    return [item for item in CocoonItem.scan() if isinstance(item, UnverifiedMail)]


@pytest.mark.parametrize("sample", [
    "aws-lambda-go/ses-sns-event.json", "aws-lambda-go/ses-lambda-event.json", "powertools/sesEvent.json",
])
def test_a_contacts_mail_with_the_published_passing_verdicts_opens_a_ticket(
    client: Any, customer: dict[str, Any], testdata_dir: Path, sample: str,
) -> None:
    receipt = json.loads((testdata_dir / "aws_events" / sample).read_text())["Records"][0]["ses"]["receipt"]
    assert receipt["dmarcVerdict"] == {"status": "PASS"}
    _via_ses(_ses_event(testdata_dir, a_mail(subject="Via SES, authenticated").as_bytes(), receipt))
    assert [t.subject for t in tickets()] == ["Via SES, authenticated"]
    assert _held() == []


def test_a_contacts_mail_without_any_verdict_is_held(
    client: Any, customer: dict[str, Any], testdata_dir: Path,
) -> None:
    # A receipt with no verdicts at all cannot vouch for anyone: fail closed.
    _via_ses(_ses_event(testdata_dir, a_mail(subject="No verdicts").as_bytes(), {"recipients": ["support@x"]}))
    assert tickets() == []
    assert [m.reason for m in _held()] == ["unauthenticated"]


@pytest.fixture
def relay_configured(monkeypatch: pytest.MonkeyPatch) -> str:
    configured = dataclasses.replace(get_settings(), inbound_authserv_id=RELAY)
    monkeypatch.setattr("shared.settings.get_settings", lambda: configured)
    return RELAY


def test_webhook_mail_with_the_relays_pass_opens_a_ticket_and_without_it_is_held(
    client: Any, customer: dict[str, Any], relay_configured: str,
) -> None:
    header = f"Authentication-Results: {RELAY.upper()};\r\n dkim=pass header.d=beispiel.example;\r\n dmarc=pass\r\n"
    passed = take_in(client, header.encode() + a_mail(subject="Relayed").as_bytes())
    assert passed["outcome"] == "ticket_created"

    assert take_in(client, a_mail(subject="No relay header").as_bytes()) == {"outcome": "unverified_sender",
                                                                            "ticket": None}
    assert [t.subject for t in tickets()] == ["Relayed"]
    assert [(m.subject, m.reason, m.sender_email) for m in _held()] == [("No relay header", "no_relay_verdict", ADMIN)]


@pytest.mark.parametrize("via", ["ses", "webhook"])
def test_a_stranger_failing_authentication_still_leaves_nothing(
    client: Any, customer: dict[str, Any], testdata_dir: Path, relay_configured: str, via: str,
) -> None:
    settings = get_settings()
    before = table_snapshot(settings.table_name)
    raw = a_mail("mallory@attacker.example", "Hello").as_bytes()
    if via == "ses":
        _via_ses(_ses_event(testdata_dir, raw, {"dmarcVerdict": {"status": "FAIL"}}))
    else:
        assert take_in(client, f"Authentication-Results: {RELAY}; dmarc=fail\r\n".encode() + raw)["outcome"] == "dropped"
    assert table_snapshot(settings.table_name) == before
    assert scan_table(settings.idempotency_table_name) == [] and stored_files() == []


def test_a_held_mail_is_not_in_the_customers_export(
    client: Any, customer: dict[str, Any], testdata_dir: Path,
) -> None:
    # Whoever wrote it, it is staff's security review, not data the contact gave us.
    _via_ses(_ses_event(testdata_dir, a_mail(subject="Forged request").as_bytes(), {"dmarcVerdict": {"status": "FAIL"}}))
    assert len(_held()) == 1
    headers = {"Authorization": f"Bearer {customer['admin_token']}", "X-Cocoon-Now": "2026-11-23T12:00:00+01:00"}
    response = client.http.get(f"/accounts/{customer['account_id']}/export", headers=headers)
    assert response.status_code == 200, response.body
    exported = json.loads(response.body)
    assert exported["items"] and "Forged request" not in response.body.decode()
    assert "unverified_mail" not in {item["type"] for item in exported["items"]}
