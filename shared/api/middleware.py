"""The one HTTP middleware: clock, size limit, authentication, error shape, logging.

Chalice runs it around every route (registered in app.py, see Chalice #1566),
so no route repeats an access check and every error leaves in the same shape.
"""

from __future__ import annotations

import json
import operator
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from chalice.app import Request, Response

from shared.api.context import Principal, RequestScope, set_scope
from shared.api.errors import ApiError, error_body, forbidden, not_found, unauthorized
from shared.api.requests import check_path_parameters, check_signed_link_query, request_now
from shared.api.route_index import route_spec
from shared.api.routing import Access, RouteSpec, api_error_response
from shared.observability import logger, metrics
from shared.settings import get_settings

# Chalice's own error codes, mapped to ours so callers see one error shape.
_CHALICE_CODES = {
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "BadRequestError": "invalid_request",
    "BadRequest": "invalid_request",
    "NotFoundError": "not_found",
    "InternalServerError": "internal_error",
}


def cocoon_http_middleware(request: Request, get_response: Callable[[Request], Response]) -> Response:
    started = time.perf_counter()
    context = request.context or {}
    route = (str(request.method), str(context.get("resourcePath", "")))
    logger.set_correlation_id(str(context.get("requestId") or request.headers.get("x-amzn-trace-id") or ""))
    try:
        spec = route_spec(*route)  # imports the route's module: access is read from its own declaration
        if spec is None:
            # Unknown method on a known path: Chalice answers 405 and we reshape it below.
            response = get_response(request)
        else:
            _check_body_size(request, spec)
            check_path_parameters(request.uri_params)
            if spec.access is Access.SIGNED_LINK:
                check_signed_link_query(request.query_params, spec.query)
            settings = get_settings()
            now = request_now(
                request.headers, time_travel_allowed=settings.time_travel_allowed, real_now=datetime.now(UTC)
            )
            session = None
            principal: Any
            if spec.access is Access.DESK:
                from shared.api.desk_auth import desk_principal

                principal, session = desk_principal(request, spec.staff_roles, now)
                account = None
            elif spec.access is Access.CUSTOMER:
                from shared.api.account_auth import customer_principal

                principal, session = customer_principal(request, now)
                account = None
            else:
                principal, account = _authenticate(request, spec, now)
            resource = spec.resource_key(request.uri_params)
            set_scope(
                RequestScope(
                    now=now, principal=principal, route_key=spec.key, account=account, resource_key=resource,
                    session=session, accept_language=str(request.headers.get("accept-language") or ""),
                )
            )
            response = get_response(request)
    except ApiError as exc:
        response = api_error_response(exc)
    except Exception:
        logger.exception("unhandled error", extra={"route": " ".join(route)})
        response = Response(
            body=error_body("internal_error", "Something went wrong on our side; nothing was changed twice."),
            status_code=500,
            headers={"Content-Type": "application/json"},
        )
    finally:
        set_scope(None)
    response = _in_our_error_shape(response)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")
    logger.info(
        "request",
        extra={
            "route": " ".join(route),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    metrics.add_metric(name="Requests", unit="Count", value=1)
    if response.status_code >= 500:
        metrics.add_metric(name="ServerErrors", unit="Count", value=1)
    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        metrics.clear_metrics()  # disabled metrics would otherwise pile up and print at 100
    else:
        metrics.flush_metrics()
    return response


def _check_body_size(request: Request, spec: RouteSpec) -> None:
    from shared.policy import get_policy

    policy = get_policy()
    limit = policy.http.max_body_bytes
    if spec.max_body_policy:
        limit = int(operator.attrgetter(spec.max_body_policy)(policy))
    body = request.raw_body or b""
    if len(body) > limit:
        raise ApiError(413, "body_too_large", f"The body is larger than {limit} bytes.", {"body": "too large"})


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return str(token.strip())


def _authenticate(request: Request, spec: RouteSpec, now: datetime) -> tuple[Principal | None, Any]:
    """Resolve the caller and check it may use this route; the answer never reveals other tenants."""
    if spec.access in (Access.PUBLIC, Access.SIGNED_LINK, Access.SIGNED_WEBHOOK):
        return None, None
    token = _bearer_token(request)
    if token is None:
        if spec.access is Access.TENANT_OR_PUBLIC:
            return None, None
        raise unauthorized()
    from shared.storage.tokens import principal_for_token

    principal = principal_for_token(token, now)  # per request, no cache: a revoked token stops at once
    if principal is None:
        raise unauthorized("The bearer token is not valid.")
    if spec.access is Access.STAFF:
        if principal.kind != "staff":
            raise forbidden("staff_only", "This endpoint is for Cocoon staff.")
        if spec.staff_roles and principal.role not in spec.staff_roles and principal.role != "admin":
            raise forbidden("role_not_allowed", f"This endpoint needs one of the roles {', '.join(spec.staff_roles)}.")
        return principal, None
    if principal.kind != "tenant":
        raise forbidden("tenant_only", "This endpoint takes an account's token; staff use /staff/... endpoints.")
    params = request.uri_params or {}
    if "id" in params and params["id"] != principal.account_id:
        # 404, not 403: a token must not learn whether another account exists.
        raise not_found("account")
    from shared.storage.accounts import get_account

    account = get_account(str(principal.account_id))
    state = account.state if account else None
    if state == "deactivated":
        raise forbidden(
            "account_deactivated",
            "This account is deactivated: its data is kept, but its tokens no longer work. "
            "Contact us to reactivate it.",
        )
    from shared.rules.accounts.states import is_live, is_suspended

    if account is not None and is_live(state) and is_suspended(account.suspended_by):
        unpaid = ", ".join(sorted(account.suspended_by or ()))
        raise forbidden(
            "account_suspended",
            f"This account is suspended: invoice {unpaid} is unpaid past the last reminder. It is reactivated "
            "as soon as the payment is booked; the reminders say the amount and where to pay.",
        )
    if not is_live(state):
        raise unauthorized("The bearer token is not valid.")
    return principal, account


def _in_our_error_shape(response: Response) -> Response:
    """Reshape Chalice's own errors ({"Code", "Message"}) into ours."""
    body = response.body
    if response.status_code < 400:
        return response
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except ValueError:
            return response
    if isinstance(body, dict) and "Code" in body and "error" not in body:
        code = _CHALICE_CODES.get(str(body["Code"]), "invalid_request")
        response.body = error_body(code, str(body.get("Message", "")))
        response.headers["Content-Type"] = "application/json"
    return response
