"""Tokens record the day they were last used, with at most one write per token and day."""

from __future__ import annotations

from collections import Counter
from typing import Any

import botocore.client
import pytest

from shared.rules.identity import token_hash
from shared.storage.keys.accounts import token_key
from shared.storage.models import ApiToken
from tests.functional.helpers import auth, now_header, signup_and_verify


@pytest.fixture
def dynamodb_calls(monkeypatch) -> Counter[str]:
    """The DynamoDB operations made from here on (the real calls, only counted)."""
    calls: Counter[str] = Counter()
    original = botocore.client.BaseClient._make_api_call

    def counting(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb" and "Idempotency" not in str(params.get("TableName")):
            calls[operation] += 1
        return original(client, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


def _stored(token: str) -> ApiToken:
    return ApiToken.get(token_key(token_hash(token)), "TOKEN", consistent_read=True)


def test_the_first_request_of_a_day_records_it_and_later_ones_write_nothing(client, outbox_dir, dynamodb_calls):
    verified = signup_and_verify(client, outbox_dir, now="2026-11-02T10:00:00+01:00")
    assert _stored(verified["admin_token"]).last_used_on is None
    path = f"/accounts/{verified['account_id']}"

    dynamodb_calls.clear()
    assert client.http.get(path, headers={**auth(verified), **now_header("2026-11-23T09:00Z")}).status_code == 200
    assert dynamodb_calls["UpdateItem"] == 1
    assert _stored(verified["admin_token"]).last_used_on == "2026-11-23"

    dynamodb_calls.clear()
    for hour in ("12", "23"):
        response = client.http.get(path, headers={**auth(verified), **now_header(f"2026-11-23T{hour}:00Z")})
        assert response.status_code == 200
    assert dynamodb_calls["UpdateItem"] == 0

    client.http.get(path, headers={**auth(verified), **now_header("2026-11-24T00:30Z")})
    assert _stored(verified["admin_token"]).last_used_on == "2026-11-24"


def test_a_refused_token_records_no_use(client, outbox_dir, dynamodb_calls):
    verified = signup_and_verify(client, outbox_dir, now="2026-11-02T10:00:00+01:00")
    other = f"/accounts/acc_{'0' * 16}"
    dynamodb_calls.clear()
    client.http.get(other, headers={"Authorization": "Bearer ck_unknown", **now_header("2026-11-23T09:00Z")})
    assert dynamodb_calls["UpdateItem"] == 0
    assert _stored(verified["admin_token"]).last_used_on is None
