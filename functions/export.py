"""GDPR export: everything the account holds, as JSON."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp,
    "/accounts/{id}/export",
    "GET",
    access=Access.TENANT,
    summary="All data of the account as JSON (GDPR Art. 20)",
    response_model="shared.contracts:ExportDocument",
)
def export_account(id: str) -> Response:
    from shared.api.account_export import export_download

    return export_download(id, tenant_account(id), current_scope().now)
