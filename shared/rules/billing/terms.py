"""The policy values billing depends on, as typed values (built by shared/derived.py from the typed policy)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from shared.rules.billing.months import COMPANY_TIME_ZONE
from shared.rules.billing.parties import Party

DEFAULT_OUTSIDE_EU_NOTE = (
    "Nicht im Inland steuerbare Leistung (§ 3a Abs. 2 UStG) / not taxable in Germany: place of supply outside the EU"
)


@dataclass(frozen=True)
class EditionTerms:
    """One edition: monthly price per user and its rank (a higher rank is an upgrade)."""

    name: str
    price_per_user: Decimal
    rank: int
    label: str


@dataclass(frozen=True)
class AppTerms:
    """One add-on app of the app store with its monthly price."""

    app_id: str
    name: str
    monthly_price: Decimal


@dataclass(frozen=True)
class VatTerms:
    """VAT rules of the policy: home country and rate, the EU member states, the mandatory notes."""

    home_country: str
    home_rate: Decimal
    eu_countries: frozenset[str]
    reverse_charge_note: str
    outside_eu_note: str = DEFAULT_OUTSIDE_EU_NOTE


@dataclass(frozen=True)
class BillingTerms:
    """The policy values billing depends on; built once from ``shared/policy.toml``."""

    seller: Party
    currency: str
    payment_terms_days: int
    editions: Mapping[str, EditionTerms]
    apps: Mapping[str, AppTerms]
    vat: VatTerms
    support_hourly_rate: Decimal
    time_zone: str = COMPANY_TIME_ZONE

    @property
    def edition_ranks(self) -> dict[str, int]:
        return {name: terms.rank for name, terms in self.editions.items()}
