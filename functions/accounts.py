"""The tenant's view of its account (SPEC §9 `GET /accounts/{id}`)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import not_found
from shared.api.routing import Access, api_route, json_response

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
    from shared.storage.accounts import get_account
    from shared.storage.views import account_view

    account = tenant_account(id) or get_account(id)
    if account is None:
        raise not_found("account")
    return json_response(account_view(account, current_scope().now))
