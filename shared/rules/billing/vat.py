"""VAT: which treatment applies to a buyer and how much VAT a net carries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from shared.rules.billing.money import HUNDRED, round_cents
from shared.rules.billing.terms import VatTerms

VatTreatment = Literal["domestic", "reverse_charge", "eu_without_vat_id", "outside_eu"]


@dataclass(frozen=True)
class VatDecision:
    """Which VAT applies to a buyer, with the EN 16931 category and the note the invoice must carry."""

    treatment: VatTreatment
    rate: Decimal
    category: str  # EN 16931 VAT category code (UNTDID 5305): S, AE, O
    note: str | None
    exemption_reason: str | None
    exemption_code: str | None  # VATEX code (CEF code list)
    explain: str


def vat_decision(country: str, vat_id: str | None, vat: VatTerms) -> VatDecision:
    """Decide the VAT treatment from the buyer's country and VAT ID (all buyers are businesses).

    * home country (DE): German VAT at the home rate;
    * another EU member state with a VAT ID: reverse charge, 0 %, with the mandatory note;
    * another EU member state without a VAT ID: German VAT at the home rate — without the
      buyer's VAT ID the seller cannot show that reverse charge applies, so it charges its own
      VAT (the safe side; Cocoon sells only to businesses, so the OSS consumer rules do not arise);
    * outside the EU: not taxable in Germany (place of supply is the buyer's country), 0 %.
    """
    country = country.upper()
    has_vat_id = bool(vat_id and vat_id.strip())
    if country == vat.home_country:
        return VatDecision(
            treatment="domestic",
            rate=vat.home_rate,
            category="S",
            note=None,
            exemption_reason=None,
            exemption_code=None,
            explain=f"buyer in {country}: German VAT {vat.home_rate} %",
        )
    if country in vat.eu_countries and has_vat_id:
        return VatDecision(
            treatment="reverse_charge",
            rate=Decimal(0),
            category="AE",
            note=vat.reverse_charge_note,
            exemption_reason="Reverse charge",
            exemption_code="VATEX-EU-AE",
            explain=f"business buyer in the EU member state {country} with VAT ID {vat_id}: "
            "reverse charge, the buyer owes the VAT (0 %)",
        )
    if country in vat.eu_countries:
        return VatDecision(
            treatment="eu_without_vat_id",
            rate=vat.home_rate,
            category="S",
            note=None,
            exemption_reason=None,
            exemption_code=None,
            explain=f"buyer in the EU member state {country} without a VAT ID: reverse charge needs "
            f"the buyer's VAT ID, so German VAT {vat.home_rate} % applies",
        )
    return VatDecision(
        treatment="outside_eu",
        rate=Decimal(0),
        category="O",
        note=vat.outside_eu_note,
        exemption_reason="Not subject to VAT",
        exemption_code="VATEX-EU-O",
        explain=f"buyer in {country}, outside the EU: not taxable in Germany (0 %)",
    )


def vat_amount(net: Decimal, rate: Decimal) -> Decimal:
    """VAT on a net amount, rounded half up to the cent (sign follows the net)."""
    return round_cents(net * rate / HUNDRED)
