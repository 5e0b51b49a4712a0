"""Values derived from the policy, built once per process: calendars and billing terms.

The calendars are where the policy's holiday dates, computed ahead of time (shared/holiday_snapshot.py), are
seeded into the rules: every due time and notice period of the app gets its calendar here, first.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from shared.holiday_snapshot import seed_policy_holidays
from shared.policy import Policy, get_policy
from shared.rules.calendar import WorkingCalendar
from shared.rules.support_hours import SupportCalendar

if TYPE_CHECKING:
    from shared.rules.billing import BillingTerms


@cache
def company_calendar() -> WorkingCalendar:
    """Working days for the cancellation notice: the company's own holiday calendar."""
    seed_policy_holidays()  # before the calendar checks its years: the table computed ahead, not the library
    cancellation = get_policy().cancellation
    return WorkingCalendar(cancellation.holiday_country, cancellation.holiday_subdivision)


@cache
def billing_terms() -> BillingTerms:
    """The process's billing terms, from the one validated policy."""
    return billing_terms_of(get_policy())


def billing_terms_of(policy: Policy) -> BillingTerms:
    """Billing's typed view of the validated policy: no second parse, no defaults of its own.

    shared/policy.py has already checked every value (money is a Decimal, countries are codes);
    this only reshapes them. An edition's label is its name capitalized: the policy has no label.
    """
    # Here, not at the top: a ticket's due time needs this module's calendars, not the billing rules.
    from shared.rules.billing import AppTerms, BillingTerms, EditionTerms, Party, VatTerms

    billing, seller, vat = policy.billing, policy.seller, policy.billing.vat
    return BillingTerms(
        seller=Party(
            name=seller.name,
            street=seller.street,
            postcode=seller.postcode,
            city=seller.city,
            country=seller.country.upper(),
            vat_id=seller.vat_id,
            email=seller.email,
            contact_name=seller.contact_name,
            telephone=seller.telephone,
            iban=seller.iban,
            bic=seller.bic,
        ),
        currency=billing.currency,
        payment_terms_days=billing.payment_terms_days,
        editions={
            name: EditionTerms(
                name=name, price_per_user=edition.monthly_price_per_user, rank=edition.rank, label=name.capitalize()
            )
            for name, edition in billing.editions.items()
        },
        apps={
            app_id: AppTerms(app_id=app_id, name=app.name, monthly_price=app.monthly_price)
            for app_id, app in billing.apps.items()
        },
        vat=VatTerms(
            home_country=vat.home_country.upper(),
            home_rate=vat.home_rate,
            eu_countries=frozenset(country.upper() for country in vat.eu_countries),
            reverse_charge_note=vat.reverse_charge_note,
        ),
        support_hourly_rate=billing.support.hourly_rate,
        time_zone=policy.company_time_zone,
    )


@cache
def support_calendar(region: str) -> SupportCalendar:
    """A region's support hours and Munich's holidays, for response targets."""
    seed_policy_holidays()  # before the first due time: its holidays from the table computed ahead
    support = get_policy().support
    return SupportCalendar.for_region(support.regions[region], support)
