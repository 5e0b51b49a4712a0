"""Idempotency-Key for creating POSTs (SPEC §8), on Powertools' idempotency utility.

Same key and same body → the first answer again; same key with another body →
422; a request still running under the key → 409. Keys are scoped to the caller
(anonymous callers share the public scope), the method and the concrete path
with its parameters (SPEC §11): two tenants never see each other's answers, and
the same key sent to account C and then to account D is two requests, not one
answered twice. Failed requests (4xx) are not remembered: the caller may fix the
body and retry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from typing import Any

from chalice.app import Response

from shared.api.context import current_scope
from shared.api.errors import ApiError

IDEMPOTENCY_HEADER = "idempotency-key"


@cache
def _persistence() -> Any:
    import boto3
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from shared.settings import get_settings

    settings = get_settings()
    client = boto3.client("dynamodb", region_name=settings.region, endpoint_url=settings.dynamodb_endpoint)
    return DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=client)


@cache
def _config() -> Any:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    from shared.policy import get_policy

    return IdempotencyConfig(
        event_key_jmespath="[scope, resource, key]",
        payload_validation_jmespath="body",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=get_policy().http.idempotency_key_hours * 3600,
    )


def run_idempotently(headers: Any, body: bytes, create: Callable[[], Response], lambda_context: Any = None) -> Response:
    """Run `create` once per Idempotency-Key; without a key it simply runs.

    With the Lambda context, an in-progress record expires with the invocation,
    so a request killed by a timeout can be retried at once.
    """
    key = headers.get(IDEMPOTENCY_HEADER)
    if not key:
        return create()
    if len(key) > 200:
        raise ApiError(
            400,
            "invalid_idempotency_key",
            "Idempotency-Key is at most 200 characters.",
            {"Idempotency-Key": "too long"},
        )
    from aws_lambda_powertools.utilities.idempotency.base import IdempotencyHandler
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    config = _config()
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)
    scope = current_scope()
    principal = scope.principal.scope if scope.principal else "public"

    def create_as_record(payload: dict[str, Any]) -> dict[str, Any]:
        response = create()
        return {"status": response.status_code, "headers": dict(response.headers), "body": response.body}

    if not scope.resource_key:  # pragma: no cover - the middleware always sets it
        raise RuntimeError("no concrete path in the request scope: idempotency cannot be scoped")
    payload = {
        "scope": principal,
        "resource": scope.resource_key,
        "key": key,
        "body": hashlib.sha256(body).hexdigest(),
    }
    handler = IdempotencyHandler(
        function=create_as_record,
        function_payload=payload,
        config=config,
        persistence_store=_persistence(),
        key_prefix=scope.route_key,
        function_args=(payload,),
        function_kwargs={},
    )
    try:
        record = handler.handle()
    except IdempotencyValidationError as exc:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used with another body.",
            {"Idempotency-Key": "reused with a different body"},
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise ApiError(
            409,
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still running.",
            {"Idempotency-Key": "in progress"},
        ) from exc
    return Response(body=record["body"], status_code=record["status"], headers=record["headers"])
