"""The tenant's view of its account (SPEC §9 `GET /accounts/{id}`) and the rotation of its admin token."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import conflict, not_found, unauthorized
from shared.api.routing import Access, api_route, json_response
from shared.observability import logger

bp = Blueprint(__name__)


@api_route(
    bp,
    "/accounts/{id}",
    "GET",
    access=Access.TENANT,
    summary="State, edition, trial dates, users and pending cancellation of the account",
    response_model="shared.contracts:AccountView",
)
def show_account(id: str) -> Response:
    from shared.api.account_view import account_view
    from shared.storage.accounts import get_account, users_of

    account = tenant_account(id) or get_account(id)
    if account is None:
        raise not_found("account")
    return json_response(account_view(account, users_of(id), current_scope().now))


@api_route(
    bp,
    "/accounts/{id}/admin-token",
    "POST",
    access=Access.TENANT,
    status=201,
    summary="Rotate the admin token: answers the new token once; the old one stops in the same transaction. "
    "Idempotency-Key is not honoured (a replay would need the new token stored): a retry with the old token gets 401",
    response_model="shared.contracts:AdminTokenRotated",
)
def rotate_admin_token(id: str) -> Response:
    from shared.storage.db import ConditionFailed, Contended
    from shared.storage.tokens import rotate_tenant_token

    scope = current_scope()
    principal, account = scope.principal, tenant_account(id)
    if principal is None or principal.token_hash is None or account is None:
        raise not_found("account")  # the middleware admits only the account's own token; fail closed anyway
    try:
        token = rotate_tenant_token(id, principal.token_hash, list(account.token_hashes or []), scope.now)
    except ConditionFailed as exc:
        # Another rotation with the same token won, or the account left trial/customer meanwhile.
        raise unauthorized("The bearer token is not valid.") from exc
    except Contended as exc:
        raise conflict("rotation_in_progress", "Another rotation of this token is running; nothing changed.") from exc
    logger.info("admin token rotated", extra={"account_id": id})
    return json_response({"account_id": id, "admin_token": token}, status=201)
