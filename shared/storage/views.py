"""Read models: what the API shows of an account (SPEC §9 field names)."""

from __future__ import annotations

from typing import Any

from shared.storage.models import Account, User, account_pk


def account_view(account: Account) -> dict[str, Any]:
    users = [
        item
        for item in User.query(account_pk(account.account_id), User.sk.startswith("USER#"))
        if isinstance(item, User)
    ]
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
        "edition": account.edition,
        "trial_ends_on": account.trial_ends_on,
        "paid_from": account.paid_from,
        "cancellation": cancellation,
        "users": [
            {"id": user.user_id, "email": user.email, "name": user.name, "role": user.role, "active": user.active}
            for user in users
        ],
    }
