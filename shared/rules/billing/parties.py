"""Seller and buyer as the invoice names them (§14 UStG)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Party:
    """Name, address and VAT ID of the seller or the buyer, as §14 UStG wants them on the invoice."""

    name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class BillingAccount:
    """The account data billing needs: who is billed, where, and from/until when."""

    account_id: str
    buyer_name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str | None
    paid_from: date
    billing_ends_on: date | None = None
    language: str = "en"

    def as_buyer(self) -> Party:
        return Party(
            name=self.buyer_name,
            street=self.street,
            postcode=self.postcode,
            city=self.city,
            country=self.country.upper(),
            vat_id=self.vat_id or None,
        )
