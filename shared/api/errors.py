"""Every HTTP error in one shape: {"error": {"code", "message", "fields"}} (SPEC §8)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

JSON_HEADERS = {"Content-Type": "application/json"}


class ApiError(Exception):
    """Raised anywhere below a route; the middleware turns it into a JSON 4xx answer."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})


def error_body(code: str, message: str, fields: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": dict(fields or {})}}


def error_json(code: str, message: str, fields: Mapping[str, str] | None = None) -> str:
    return json.dumps(error_body(code, message, fields))


# The unknown-route answer, shared by API Gateway's gateway response (template) and the local server.
NOT_FOUND_CODE = "not_found"
NOT_FOUND_MESSAGE = "There is no such resource; see /openapi.json for the routes."


def bad_request(message: str, fields: Mapping[str, str] | None = None, code: str = "invalid_request") -> ApiError:
    return ApiError(400, code, message, fields)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def forbidden(code: str, message: str) -> ApiError:
    return ApiError(403, code, message)


def conflict(code: str, message: str, fields: Mapping[str, str] | None = None) -> ApiError:
    return ApiError(409, code, message, fields)


def unauthorized(message: str = "A valid bearer token is required.") -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def validation_error(errors: Sequence[Mapping[str, Any]]) -> ApiError:
    """Map pydantic's error list to field → reason, so the form can show each next to its field."""
    fields: dict[str, str] = {}
    for err in errors:
        location = ".".join(str(part) for part in err.get("loc", ())) or "body"
        message = str(err.get("msg", "invalid"))
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        fields.setdefault(location, message)
    names = ", ".join(fields)
    return ApiError(400, "invalid_fields", f"Some fields are missing or invalid: {names}.", fields)


def from_lower_layer(exc: Exception) -> ApiError | None:
    """A storage error no route decided on, as its HTTP answer; None for anything else (a 500).

    Contention and an unavailable table are ours and passing: 503 with Retry-After (nothing was
    written), never a 500 and never a 4xx that would tell the caller their request was wrong.
    """
    from shared.storage.errors import Contended, StorageUnavailable

    if isinstance(exc, Contended | StorageUnavailable):
        return ApiError(503, "temporarily_unavailable", "Please try again in a moment; nothing was changed.",
                        headers={"Retry-After": "1"})
    return None


def address_refused(fields: dict[str, str]) -> ApiError:
    """422 naming every missing or invalid part of the billing address."""
    return ApiError(
        422,
        "billing_address_required",
        f"Invoices need the complete billing address: {', '.join(fields)}.",
        fields,
    )
