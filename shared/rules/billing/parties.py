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
    # The seller's contact point (BG-6) and bank account for credit transfers (BG-16/BG-17).
    contact_name: str | None = None
    telephone: str | None = None
    iban: str | None = None
    bic: str | None = None
    # The buyer's reference (BT-10): a public body's Leitweg-ID or any customer's order number.
    reference: str | None = None
    # A public body receives XRechnung (its specification identifier and the BR-DE rules).
    public_institution: bool = False


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
    reference: str | None = None
    public_institution: bool = False

    @property
    def has_billing_address(self) -> bool:
        """§14 UStG: no invoice without the buyer's full address (billing waits for it)."""
        return all(part.strip() for part in (self.street, self.postcode, self.city, self.country))

    def as_buyer(self) -> Party:
        return Party(
            name=self.buyer_name,
            street=self.street,
            postcode=self.postcode,
            city=self.city,
            country=self.country.upper(),
            vat_id=self.vat_id or None,
            reference=self.reference or None,
            public_institution=self.public_institution,
        )
