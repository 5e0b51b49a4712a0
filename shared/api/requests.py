"""Reading a request: its body (JSON or form-encoded), its moment, its path parameters.

Everything here refuses what it cannot read with a 4xx naming the field: a
stranger's input must never reach code that answers 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from shared.api.errors import ApiError, bad_request, validation_error

NOW_HEADER = "x-cocoon-now"

# Time travel is a test tool: moments beyond these years leave the holiday calendars
# (which cover 1991-2100) or overflow datetime once a rule adds a notice period.
EARLIEST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2100, 1, 1, tzinfo=UTC)
_MOMENT_RANGE = f"expected a moment from {EARLIEST_MOMENT.year} to {LATEST_MOMENT.year - 1}"

# Our bodies are flat forms; deeper JSON is an attack on the parser (RecursionError), not a request.
MAX_JSON_DEPTH = 32

# Our identifiers are short printable ASCII (ticket 2026112210001, invoice 2026-000001, hashes);
# a longer or other key would make DynamoDB refuse the lookup (keys over 1 KB) instead of finding nothing.
MAX_PATH_PARAMETER_LENGTH = 128
MAX_UNIX_SECONDS_DIGITS = 12  # int() of thousands of digits raises; 12 reach the year 33658
MAX_LINK_VALUE_LENGTH = 512  # a signed link's query value (signature, key id, expiry), with room to grow

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
    try:
        in_utc = moment.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00+14:00 is before the first representable moment
        raise bad_request(f"{field} is out of range", {field: _MOMENT_RANGE}) from exc
    if not EARLIEST_MOMENT <= in_utc < LATEST_MOMENT:
        raise bad_request(f"{field} is out of range", {field: _MOMENT_RANGE})
    return in_utc


def is_ascii_digits(text: str) -> bool:
    """Only 0-9: str.isdigit() also accepts "²" (which int() refuses) and "٢" (which int() reads)."""
    return text.isascii() and text.isdigit()


def check_path_parameters(params: Mapping[str, str] | None) -> None:
    """Refuse path parameters no identifier of ours can have: 404, as for any resource that is not there."""
    for name, value in (params or {}).items():
        if not 0 < len(value) <= MAX_PATH_PARAMETER_LENGTH or not _printable_ascii(value):
            raise ApiError(
                404,
                "not_found",
                f"There is no such {name}.",
                {name: f"not an identifier of ours (printable ASCII, at most {MAX_PATH_PARAMETER_LENGTH} characters)"},
            )


def check_signed_link_query(params: Mapping[str, str] | None, declared: Mapping[str, str]) -> None:
    """A signed link's query values are ones we wrote (hex signatures, our ids): anything else is not our link.

    Refused here, before a signature check compares a stranger's non-ASCII text (hmac.compare_digest raises).
    """
    for name in declared:
        value = (params or {}).get(name)
        if value is not None and not (len(value) <= MAX_LINK_VALUE_LENGTH and _printable_ascii(value)):
            raise ApiError(401, "invalid_link", "This link is not valid.", {name: "invalid"})


def check_webhook_signature_headers(headers: Mapping[str, str]) -> None:
    """Refuse signature headers no relay of ours sends, before a comparison chokes on them (a 401, not a 500).

    "²" passes str.isdigit() and then int() raises; a non-ASCII signature makes hmac.compare_digest raise.
    """
    timestamp = headers.get("x-cocoon-timestamp")
    if timestamp and not (is_ascii_digits(timestamp) and len(timestamp) <= MAX_UNIX_SECONDS_DIGITS):
        raise ApiError(
            401,
            "invalid_signature",
            "Refused: X-Cocoon-Timestamp must be Unix seconds.",
            {"X-Cocoon-Timestamp": "expected Unix seconds, e.g. 1795000000"},
        )
    signature = headers.get("x-cocoon-signature")
    if signature and not signature.isascii():
        raise ApiError(
            401,
            "invalid_signature",
            "Refused: the signature does not match.",
            {"X-Cocoon-Signature": "expected v1=<hex HMAC-SHA256>"},
        )


def _printable_ascii(text: str) -> bool:
    return text.isascii() and text.isprintable() and " " not in text


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
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError as exc:
        raise bad_request("The body is not valid JSON.", {"body": str(exc)}, code="malformed_json") from exc
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.", {"body": "expected an object"}, code="malformed_json")
    if _json_depth(body) > MAX_JSON_DEPTH:
        raise _too_deep()
    return body


def _too_deep() -> ApiError:
    return bad_request(
        "The body is nested too deeply.", {"body": f"at most {MAX_JSON_DEPTH} levels of nesting"}, code="malformed_json"
    )


def _json_depth(value: Any) -> int:
    """How deeply a decoded JSON value nests, walked without recursion (the point is not to recurse)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
            children = current.values() if isinstance(current, dict) else current
            pending.extend((child, depth + 1) for child in children)
    return deepest


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
