"""Reading a request: its body (JSON or form-encoded), its moment, its idempotency key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from shared.api.errors import ApiError, bad_request, validation_error

NOW_HEADER = "x-cocoon-now"

ModelT = TypeVar("ModelT")


def request_now(headers: Mapping[str, str], *, time_travel_allowed: bool, real_now: datetime) -> datetime:
    """The moment a request is handled at: real time, or X-Cocoon-Now where time travel is allowed.

    Deployed stages ignore the header entirely, so a caller can never backdate
    a cancellation or a signup in production.
    """
    stated = headers.get(NOW_HEADER)
    if not stated or not time_travel_allowed:
        return real_now
    return parse_moment(stated, field="X-Cocoon-Now")


def parse_moment(text: str, *, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise bad_request(
            f"{field} is not an ISO 8601 moment", {field: "expected e.g. 2026-11-22T10:00:00+01:00"}
        ) from exc
    if moment.tzinfo is None:
        raise bad_request(f"{field} needs a UTC offset", {field: "add an offset such as +01:00 or Z"})
    return moment.astimezone(UTC)


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "application/json").split(";", 1)[0].strip().lower()


def decode_body(raw: bytes | None, headers: Mapping[str, str]) -> dict[str, Any]:
    """A JSON object or a form-encoded body as a dict; anything else is a clear 4xx."""
    media_type = _media_type(headers)
    try:
        text = (raw or b"").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request("The body is not UTF-8 text.", {"body": str(exc)}, code="malformed_body") from exc
    if media_type == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=200))
        except ValueError as exc:
            raise bad_request("The form body cannot be read.", {"body": str(exc)}, code="malformed_body") from exc
    if media_type != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            f"Send application/json or application/x-www-form-urlencoded, not {media_type}.",
            {"Content-Type": "unsupported"},
        )
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise bad_request("The body is not valid JSON.", {"body": str(exc)}, code="malformed_json") from exc
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.", {"body": "expected an object"}, code="malformed_json")
    return body


def validate(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Validate with a pydantic model; errors name each field and why."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)  # type: ignore[attr-defined,no-any-return]
    except ValidationError as exc:
        raise validation_error(list(exc.errors(include_url=False, include_context=False))) from exc


def query_param(request: Any, name: str, default: str = "") -> str:
    """One query-string value (API Gateway gives None, not {}, when there is no query string)."""
    params: dict[str, str] = request.query_params or {}
    return params.get(name, default)


def raw_body(request: Any) -> bytes:
    """The request's raw bytes (Chalice gives bytes; None or str in some test paths)."""
    body = request.raw_body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)
