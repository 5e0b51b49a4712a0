"""The account's billing address and buyer reference (issue 17), written with the billing cursor.

Months left unbilled for want of an address are billed by the next run: setting the address puts
the account's billing cursor due at once, in the same transaction, so the nightly job finds it that
night instead of at the next month's turn. A cursor due now on an account with nothing to bill costs
one read and moves back to where billing puts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.expressions.update import Action

from shared.storage.db import ConditionFailed, transaction
from shared.storage.models import Account
from shared.storage.schedule import billing_cursor


class AccountGone(Exception):
    """The account was deleted between reading and writing its address."""


@dataclass(frozen=True)
class BillingAddress:
    street: str
    postcode: str
    city: str
    country: str
    buyer_reference: str | None


def billing_address_of(account: Account) -> BillingAddress:
    return BillingAddress(
        street=account.street or "",
        postcode=account.postcode or "",
        city=account.city or "",
        country=account.country,
        buyer_reference=account.buyer_reference,
    )


def save_billing_address(account: Account, address: BillingAddress, now: datetime) -> None:
    """Store the address on the account; a paying account's cursor becomes due now (see above)."""
    actions: list[Action] = [
        Account.street.set(address.street),
        Account.postcode.set(address.postcode),
        Account.city.set(address.city),
        Account.country.set(address.country),
        Account.buyer_reference.set(address.buyer_reference)
        if address.buyer_reference
        else Account.buyer_reference.remove(),
    ]
    try:
        with transaction() as tx:
            tx.update(Account(account.pk, account.sk), actions=actions, condition=Account.pk.exists())
            if account.paid_from is not None:
                tx.save(billing_cursor(account.account_id, now))
    except ConditionFailed as exc:
        raise AccountGone(account.account_id) from exc
