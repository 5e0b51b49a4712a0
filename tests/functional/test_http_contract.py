"""The HTTP contract every route shares: error shape, limits, auth, idempotency, CORS, clock."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest

from infra.dynamodb_local import free_port
from shared.storage.accounts import get_account
from shared.storage.models import Account, CocoonItem
from tests.functional.helpers import JSON, body_of, now_header, post_json, signup_and_verify, signup_fields


def assert_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert response.status_code == status, response.body
    error = body_of(response)["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code:
        assert error["code"] == code, error
    if field:
        assert field in error["fields"], error
    return error


def test_malformed_json_is_a_400_naming_the_body(client):
    response = client.http.post("/signup", headers=JSON, body='{"company_name": ')
    assert_error(response, 400, "malformed_json", "body")


def test_a_json_array_is_not_an_object(client):
    assert_error(client.http.post("/signup", headers=JSON, body="[1, 2]"), 400, "malformed_json")


def test_non_utf8_body_is_a_400(client):
    response = client.http.post("/signup", headers=JSON, body=b"\xff\xfe{}")
    assert_error(response, 400, "malformed_body")


def test_wrong_content_type_is_a_415_in_our_shape(client):
    response = client.http.post("/signup", headers={"Content-Type": "text/plain"}, body="hello")
    assert_error(response, 415, "unsupported_media_type")


def test_oversized_body_is_a_413_and_nothing_is_written(client):
    huge = json.dumps(signup_fields(company_name="x" * 2_000_000))
    response = client.http.post("/signup", headers=JSON, body=huge)
    assert_error(response, 413, "body_too_large", "body")
    assert list(CocoonItem.scan()) == []


def test_unknown_method_is_a_405_in_our_shape(client):
    response = client.http.delete("/signup")
    assert_error(response, 405, "method_not_allowed")


def test_tenant_route_without_token_is_401(client):
    response = client.http.get("/accounts/acc_123")
    assert_error(response, 401, "unauthorized")
    assert response.headers.get("WWW-Authenticate") == "Bearer"


def test_a_wrong_token_is_401(client):
    response = client.http.get("/accounts/acc_123", headers={"Authorization": "Bearer ck_nonsense"})
    assert_error(response, 401)


def test_a_token_never_reaches_another_account(client, outbox_dir):
    first = signup_and_verify(client, outbox_dir, email="a@first.example")
    second = signup_and_verify(client, outbox_dir, email="b@second.example")
    response = client.http.get(
        f"/accounts/{second['account_id']}", headers={"Authorization": f"Bearer {first['admin_token']}"}
    )
    assert_error(response, 404, "not_found")
    own = client.http.get(
        f"/accounts/{first['account_id']}", headers={"Authorization": f"Bearer {first['admin_token']}"}
    )
    assert own.status_code == 200


def test_tokens_of_a_deactivated_account_get_403_account_deactivated(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir)
    account = get_account(verified["account_id"])
    assert account is not None
    account.update(actions=[Account.state.set("deactivated")])
    response = client.http.get(
        f"/accounts/{verified['account_id']}", headers={"Authorization": f"Bearer {verified['admin_token']}"}
    )
    error = assert_error(response, 403, "account_deactivated")
    assert "deactivated" in error["message"]


def test_tokens_are_stored_hashed_only(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir)
    stored = json.dumps([item.attribute_values for item in CocoonItem.scan()], default=str)
    assert verified["admin_token"] not in stored


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(client, outbox_dir):
    headers = {**now_header("2026-01-30T09:00:00+01:00"), "Idempotency-Key": "signup-1"}
    first = post_json(client, "/signup", signup_fields(), headers)
    assert first.status_code == 202
    again = post_json(client, "/signup", signup_fields(), headers)
    assert again.status_code == 202  # not 409: the same request, answered again
    assert body_of(again) == body_of(first)
    accounts = [item for item in CocoonItem.scan() if isinstance(item, Account)]
    assert len(accounts) == 1
    other = post_json(client, "/signup", signup_fields(company_name="Andere GmbH"), headers)
    assert_error(other, 422, "idempotency_key_reused", "Idempotency-Key")


def test_cors_preflight_and_headers_for_the_web_forms(client):
    response = client.http.post("/signup", headers=JSON, body="{}")
    assert response.headers.get("Access-Control-Allow-Origin") == "*"


def test_time_travel_header_must_be_a_moment_with_offset(client):
    response = post_json(client, "/signup", signup_fields(), {"X-Cocoon-Now": "yesterday"})
    assert_error(response, 400, field="X-Cocoon-Now")
    naive = post_json(client, "/signup", signup_fields(), {"X-Cocoon-Now": "2026-01-01T10:00:00"})
    assert_error(naive, 400, field="X-Cocoon-Now")


def test_time_travel_is_ignored_outside_local_and_test(monkeypatch):
    from shared.api.requests import request_now

    real = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    headers = {"x-cocoon-now": "2020-01-01T00:00:00Z"}
    assert request_now(headers, time_travel_allowed=False, real_now=real) == real
    assert request_now(headers, time_travel_allowed=True, real_now=real) == datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def local_server(db):
    from infra.local_stack import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, stage="test")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()


def _fetch(url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback test server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_local_server_answers_unknown_routes_with_our_404(local_server):
    status, body = _fetch(f"{local_server}/no/such/route")
    assert status == 404
    assert json.loads(body)["error"]["code"] == "not_found"
    status, body = _fetch(f"{local_server}/no/such/route", headers={"Authorization": "Bearer x"})
    assert status == 404


def test_the_local_server_serves_a_signup(local_server):
    body = json.dumps(signup_fields()).encode()
    status, answer = _fetch(f"{local_server}/signup", "POST", body, {"Content-Type": "application/json"})
    assert status == 202, answer
    status, answer = _fetch(f"{local_server}/openapi.json")
    assert status == 200 and json.loads(answer)["openapi"].startswith("3.")
