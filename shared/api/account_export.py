"""The GDPR export as a download (SPEC §9, Art. 20): the JSON API's and the subscription page's one answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalice.app import Response

from shared.api.errors import not_found
from shared.api.routing import json_response


def export_download(account_id: str, account: Any | None, now: datetime) -> Response:
    """Everything the account holds as a JSON attachment; 404 when there is no such account."""
    import json

    from shared.api.account_view import account_view
    from shared.services.accounts.errors import AccountNotFound
    from shared.services.accounts.export import export_account as export

    try:
        contents = export(account_id, account)
    except AccountNotFound as exc:
        raise not_found("account") from exc
    document = {
        "account": account_view(contents.account, contents.users, now),
        "exported_at": now.isoformat(),
        "items": contents.items,
    }
    return json_response(
        json.loads(json.dumps(document, default=str)),
        headers={"Content-Disposition": f'attachment; filename="cocoon-export-{account_id}.json"'},
    )
