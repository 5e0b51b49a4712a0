"""Signup rules: who may sign up, VAT ID checks and the trial period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.rules.accounts.dates import first_paid_day, moment_after

# ISO 3166 alpha-2 of the EU member states; VAT prefixes differ only for Greece.
_VAT_PREFIX_EXCEPTIONS = {"GR": "EL"}


class InvalidVatId(ValueError):
    """The VAT ID fails the format or check-digit test of its country."""


def check_vat_id(vat_id: str, country: str) -> str:
    """Return the VAT ID in compact form, or raise InvalidVatId saying why.

    python-stdnum knows each country's format and check digit; the ID must
    belong to the account's country (an EU ID starts with its country prefix).
    """
    from stdnum import get_cc_module
    from stdnum.exceptions import ValidationError

    country = country.upper()
    module = get_cc_module(country.lower(), "vat")
    if module is None:
        raise InvalidVatId(f"VAT IDs of country {country} cannot be checked")
    try:
        compact: str = module.validate(vat_id)
    except ValidationError as exc:
        raise InvalidVatId(f"not a valid VAT ID of {country}: {exc}") from exc
    from stdnum.eu import vat as eu_vat

    prefix = _VAT_PREFIX_EXCEPTIONS.get(country, country)
    if country.lower() not in eu_vat.MEMBER_STATES and prefix.lower() not in eu_vat.MEMBER_STATES:
        return compact
    number = compact.upper()
    return number if number.startswith(prefix) else f"{prefix}{number}"


@dataclass(frozen=True)
class TrialPeriod:
    first_day: date
    last_day: date

    def ends_at(self, zone: ZoneInfo) -> datetime:
        """Access ends at the end of the last day: midnight after it, in the company's zone."""
        return moment_after(self.last_day, zone)

    @property
    def paid_from(self) -> date:
        """A customer keeps the free days: paid service starts the day after the trial's last day."""
        return first_paid_day(self.last_day, self.first_day)


def trial_period(verified_at: datetime, zone: ZoneInfo, length_days: int) -> TrialPeriod:
    """Day 1 is the day of verification in the company's zone; the trial's last day is day `length_days`."""
    first_day = verified_at.astimezone(zone).date()
    return TrialPeriod(first_day=first_day, last_day=first_day + timedelta(days=length_days - 1))
