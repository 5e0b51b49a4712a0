"""What the middleware learned about the current request: its moment and its caller."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.rules.accounts.principal import Principal as Principal  # the caller is a domain value, read by storage


@dataclass(frozen=True)
class RequestScope:
    now: datetime
    principal: Principal | None
    route_key: str
    account: Any = None  # the tenant's account, read once by the middleware
    resource_key: str = ""  # method and concrete path, path parameters filled in (idempotency scope)
    session: Any = None  # the desk's live session (Access.DESK), read once by the middleware
    accept_language: str = ""  # the browser's Accept-Language: the desk's language until the member chooses


_current: ContextVar[RequestScope | None] = ContextVar("cocoon_request_scope", default=None)


def set_scope(scope: RequestScope | None) -> None:
    _current.set(scope)


def current_scope() -> RequestScope:
    scope = _current.get()
    if scope is None:  # pragma: no cover - only when a handler is called outside the middleware
        raise RuntimeError("no request scope: the Cocoon middleware did not run")
    return scope


def tenant_account(account_id: str) -> Any:
    """The caller's account as the middleware read it (no second read), or None."""
    scope = current_scope()
    if scope.account is not None and scope.account.account_id == account_id:
        return scope.account
    return None
