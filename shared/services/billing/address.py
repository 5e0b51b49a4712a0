"""The billing address use cases: set it (the admin, or billing staff) and require it before billing.

Becoming a customer, a reactivation and an edition change are refused while the address (or a
public institution's Leitweg-ID) is missing; the nightly billing issues no invoice meanwhile and
asks for it by mail (shared/services/billing/accounts.py, shared/storage/billing.py).
"""

from __future__ import annotations

from datetime import datetime

from shared.rules.billing.address import billing_address_problems, normalized_buyer_reference
from shared.storage.billing_address import BillingAddress, billing_address_of, save_billing_address
from shared.storage.models import Account


class BillingAddressIncomplete(Exception):
    """The account may not be invoiced: `fields` names each missing or invalid part and why."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


def require_billing_address(account: Account) -> None:
    """Raise unless the account has everything an invoice to it needs."""
    address = billing_address_of(account)
    problems = billing_address_problems(
        account.organization_type,
        address.street,
        address.postcode,
        address.city,
        address.country,
        address.buyer_reference,
    )
    if problems:
        raise BillingAddressIncomplete(problems)


def set_billing_address(account: Account, address: BillingAddress, now: datetime) -> BillingAddress:
    """Validate ``address`` for this account (a public institution's Leitweg-ID), store it, return it."""
    problems = billing_address_problems(
        account.organization_type,
        address.street,
        address.postcode,
        address.city,
        address.country,
        address.buyer_reference,
    )
    if problems:
        raise BillingAddressIncomplete(problems)
    stored = BillingAddress(
        street=address.street.strip(),
        postcode=address.postcode.strip(),
        city=address.city.strip(),
        country=address.country.strip().upper(),
        buyer_reference=normalized_buyer_reference(account.organization_type, address.buyer_reference),
    )
    save_billing_address(account, stored, now)
    return stored
