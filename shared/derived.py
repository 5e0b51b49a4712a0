"""Values derived from the policy, built once per process: calendars and billing terms."""

from __future__ import annotations

from functools import cache

from shared.policy import get_policy
from shared.rules.billing import BillingTerms
from shared.rules.calendar import WorkingCalendar
from shared.rules.support_hours import SupportCalendar


@cache
def company_calendar() -> WorkingCalendar:
    """Working days for the cancellation notice: the company's own holiday calendar."""
    cancellation = get_policy().cancellation
    return WorkingCalendar(cancellation.holiday_country, cancellation.holiday_subdivision)


@cache
def billing_terms() -> BillingTerms:
    from shared.rules.billing import billing_terms_from_policy

    return billing_terms_from_policy(get_policy().model_dump(mode="python"))


@cache
def support_calendar(region: str) -> SupportCalendar:
    """A region's support hours and Munich's holidays, for response targets."""
    support = get_policy().support
    return SupportCalendar.for_region(support.regions[region], support)
