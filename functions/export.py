"""GDPR export: everything the account holds, as JSON."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import not_found
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)

# Internal bookkeeping that is not the customer's data (and must not leak secrets' hashes).
_NOT_EXPORTED = (
    "token_hashes",
    "verification_key",
    "due_job",
    "due_at",
    "lookup_key",
    "expires_at",
    "item_type",
    "seen_key",
)


def _staff_only(item: object, support_lead: str) -> bool:
    """What staff wrote for staff (internal notes, mails to our support lead) never leaves for the customer."""
    from shared.mail.render import STAFF_MAILS
    from shared.storage.models import OutboxMail, TicketMessage
    from shared.storage.views import CUSTOMER_MESSAGE_KINDS

    if isinstance(item, TicketMessage):
        return item.kind not in CUSTOMER_MESSAGE_KINDS
    if isinstance(item, OutboxMail):
        return item.template in STAFF_MAILS or item.recipient == support_lead
    return False


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

    from shared.policy import get_policy
    from shared.storage.accounts import account_items, get_account
    from shared.storage.models import Account, SearchEntry, StaffAction, UnverifiedMail
    from shared.storage.views import account_view

    account = tenant_account(id) or get_account(id)
    if account is None:
        raise not_found("account")
    items = []
    support_lead = get_policy().support.support_lead_email
    for item in account_items(id):
        if isinstance(item, Account) or _staff_only(item, support_lead):
            continue
        if isinstance(item, UnverifiedMail):  # staff's review of a mail the contact may never have sent
            continue
        if isinstance(item, (SearchEntry, StaffAction)):  # the desk's index and notes: staff's, derived
            continue
        simple = item.to_simple_dict()
        data = {k: v for k, v in simple.items() if k not in _NOT_EXPORTED}
        data["type"] = simple["item_type"]
        items.append(data)
    document = {
        "account": account_view(account, current_scope().now),
        "exported_at": current_scope().now.isoformat(),
        "items": items,
    }
    return json_response(
        json.loads(json.dumps(document, default=str)),
        headers={"Content-Disposition": f'attachment; filename="cocoon-export-{id}.json"'},
    )
