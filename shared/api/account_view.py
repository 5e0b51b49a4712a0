"""What the API shows of an account (SPEC §9 field names): one shape, contracts.AccountView's, built here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.rules.accounts.editions import current_edition


def account_view(account: Any, users: list[Any], now: datetime | None) -> dict[str, Any]:
    """The account with its users, as GET /accounts/{id} and the export show it."""
    cancellation = None
    if account.cancellation is not None:
        cancellation = {
            "received_on": account.cancellation.received_on,
            "effective_on": account.cancellation.effective_on,
            "channel": account.cancellation.channel,
        }
    return {
        "id": account.account_id,
        "state": account.state,
        "company_name": account.company_name,
        "organization_type": account.organization_type,
        "country": account.country,
        "vat_id": account.vat_id,
        "language": account.language,
        "edition": current_edition(account.edition, account.pending_edition, account.pending_edition_from, now),
        "trial_ends_on": account.trial_ends_on,
        "paid_from": account.paid_from,
        "cancellation": cancellation,
        "users": [
            {"id": user.user_id, "email": user.email, "name": user.name, "role": user.role, "active": user.active}
            for user in users
        ],
    }
