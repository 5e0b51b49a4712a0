"""GDPR export: everything the account holds, as JSON."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import not_found
from shared.api.routing import Access, api_route, json_response

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
    import json

    from shared.api.account_view import account_view
    from shared.services.accounts.errors import AccountNotFound
    from shared.services.accounts.export import export_account as export

    now = current_scope().now
    try:
        contents = export(id, tenant_account(id))
    except AccountNotFound as exc:
        raise not_found("account") from exc
    document = {
        "account": account_view(contents.account, contents.users, now),
        "exported_at": now.isoformat(),
        "items": contents.items,
    }
    return json_response(
        json.loads(json.dumps(document, default=str)),
        headers={"Content-Disposition": f'attachment; filename="cocoon-export-{id}.json"'},
    )
