"""Small helpers for driving the API like a web form or an app would."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def post_json(client: Any, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.http.post(path, headers={**JSON, **(headers or {})}, body=json.dumps(body))


def post_form(client: Any, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    return client.http.post(path, headers={**FORM, **(headers or {})}, body=urlencode(fields))


def body_of(response: Any) -> Any:
    return json.loads(response.body)


def signup_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "company_name": "Beispiel GmbH",
        "organization_type": "company",
        "country": "DE",
        "vat_id": "DE136695976",
        "admin_name": "Erika Mustermann",
        "admin_email": "erika@beispiel.example",
        "language": "de",
        "accept_dpa": True,
        "street": "Hauptstraße 5",
        "postcode": "70173",
        "city": "Stuttgart",
    }
    fields.update(overrides)
    return fields


def verification_token_from_outbox(outbox_dir: Path, recipient: str | None = None) -> str:
    """Read the token from the delivered verification mail (to `recipient`, if given)."""
    for path in sorted(outbox_dir.glob("verify-*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        if recipient and f"To: {recipient}" not in path.read_text():
            continue
        match = re.search(r"token=([A-Za-z0-9_\-]+)", mail_text(path))
        if match:
            return match.group(1)
    raise AssertionError(f"no verification mail in {outbox_dir}")


def mail_text(path: Path) -> str:
    """The decoded text body of a delivered .eml (as a mail client would show it)."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def now_header(moment: str) -> dict[str, str]:
    return {"X-Cocoon-Now": moment}


def signed_sns_event(event: dict[str, Any], topic: str = "inbound") -> dict[str, Any]:
    """A Lambda SNS event whose (possibly edited) message is signed again, as SNS would, for our topic
    (`inbound` or `mail_events`); the tests' certificate source trusts this key (tests/conftest.py)."""
    from shared.local_sns import local_sns

    message = event["Records"][0]["Sns"]["Message"]
    return local_sns().lambda_event(message, _topic_arn(topic))


def signed_sns_record(message: str, topic: str = "mail_events", **options: Any) -> str:
    """The JSON text of one signed SNS record (`Sns` object) carrying `message`."""
    from shared.local_sns import local_sns

    return json.dumps(local_sns().envelope(message, _topic_arn(topic), **options))


def _topic_arn(topic: str) -> str:
    from shared.settings import get_settings

    settings = get_settings()
    arn = settings.inbound_email_topic_arn if topic == "inbound" else settings.mail_events_topic_arn
    assert arn is not None
    return arn
