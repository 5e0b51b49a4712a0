"""Route declarations: each route says who may call it and what it takes and gives.

The middleware reads `who may call it` from here (one place for access rules),
and /openapi.json is generated from the same declarations, so the documented
contract and the code cannot drift apart.

A declaration does not register the route with Chalice: app.py registers every route from the route
index (shared/api/route_index.py), which imports a route's module when the route is first served.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import quote

from chalice.app import Blueprint, CORSConfig, Response

from shared.api.errors import ApiError, error_body, from_lower_layer

FORM_CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")


class Access(Enum):
    PUBLIC = "public"
    TENANT = "tenant"  # the account named by {id} in the path, with its own token
    TENANT_OR_PUBLIC = "tenant_or_public"  # a token is optional (support form vs. in-app button)
    STAFF = "staff"
    SIGNED_LINK = "signed_link"  # the handler checks the link's signature
    SIGNED_WEBHOOK = "signed_webhook"  # the handler checks the HMAC signature
    DESK = "desk"  # a staff member's desk session (cookie), CSRF token on every POST; roles as STAFF
    CUSTOMER = "customer"  # an account contact's session on the customer pages (cookie), CSRF on every POST


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    access: Access
    summary: str
    request_model: str | None = None  # "module:Class", imported only when the docs are built
    response_model: str | None = None
    status: int = 200
    staff_roles: tuple[str, ...] = ()
    content_types: tuple[str, ...] = ()
    response_content_type: str = "application/json"
    query: dict[str, str] = field(default_factory=dict)  # name → description
    creates: bool = False  # a creating POST: honours Idempotency-Key
    max_body_policy: str | None = None  # dotted policy key of a larger limit, e.g. "support.max_mail_bytes"

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def resource_key(self, path_params: dict[str, str] | None) -> str:
        """Method and concrete path ("POST /staff/accounts/acc_1/cancellation"): the one resource asked for.

        Values are percent-encoded, so a value holding "/" cannot pose as another path.
        """
        params = path_params or {}
        concrete = re.sub(r"{(\w+)}", lambda match: quote(str(params.get(match.group(1), "")), safe=""), self.path)
        return f"{self.method} {concrete}"


@dataclass(frozen=True)
class DeclaredView:
    """What serves a declared route: its view (ApiError answered) and the blueprint its module reads the
    request through, bound to the app when the route is first served."""

    answer: Callable[..., Any]
    blueprint: Blueprint
    content_types: tuple[str, ...]


# The routes declared by the modules imported so far (every route: shared/api/route_index.py load_every_route).
ROUTES: dict[tuple[str, str], RouteSpec] = {}
DECLARED_VIEWS: dict[tuple[str, str], DeclaredView] = {}

CORS = CORSConfig(
    allow_origin=os.environ.get("COCOON_CORS_ORIGIN", "*"),
    allow_headers=["Idempotency-Key", "X-Cocoon-Now"],
    max_age=600,
)


def api_route(
    bp: Blueprint,
    path: str,
    method: str,
    *,
    access: Access,
    summary: str,
    **options: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a route: its contract, and its view, whose ApiError becomes a JSON 4xx answer (Chalice serves it
    through the route index, shared/api/route_index.py)."""
    spec = RouteSpec(method=method, path=path, access=access, summary=summary, **options)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        if (method, path) in ROUTES:
            raise ValueError(f"route declared twice: {spec.key}")
        ROUTES[(method, path)] = spec

        @functools.wraps(view)
        def answer(**path_params: Any) -> Any:
            try:
                return view(**path_params)
            except ApiError as exc:
                return api_error_response(exc)
            except Exception as exc:
                passing = from_lower_layer(exc)  # contention, a throttled table: 503, not a 500
                if passing is None:
                    raise
                from shared.observability import logger

                logger.warning("storage unavailable", extra={"route": spec.key, "error": type(exc).__name__})
                return api_error_response(passing)

        DECLARED_VIEWS[(method, path)] = DeclaredView(answer, bp, spec.content_types or FORM_CONTENT_TYPES)
        return view

    return decorator


def api_error_response(exc: ApiError) -> Response:
    return Response(
        body=error_body(exc.code, exc.message, exc.fields),
        status_code=exc.status,
        headers={"Content-Type": "application/json", **exc.headers},
    )


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json", **(headers or {})})
