"""The subscription page's actions for the account's admin (issue 16 item 2), each through the JSON API's service.

A preview step shows, before the admin confirms, when a change applies: an upgrade now, a downgrade
on the 1st of next month, a cancellation on the day the notice rule gives for today's receipt. The
confirmation carries the day it was shown; if the day moved meanwhile (midnight passed, the edition
changed) the service refuses, so nobody confirms a date they were not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules.accounts.dates import first_paid_day
from shared.rules.clock import local_day
from shared.services.account_pages.viewer import Viewer


class PreviewOutdated(Exception):
    """What the admin confirmed is no longer what would happen: show the preview again."""


class NothingToCancel(Exception):
    """A trial needs no cancellation (it simply ends), and a former customer has no contract."""


@dataclass(frozen=True)
class EditionPreview:
    edition: str
    applies_on: date
    applies_now: bool
    becomes_customer: bool


def _account(viewer: Viewer) -> Any:
    from shared.storage.accounts import get_account

    viewer.must_be_admin()
    account = get_account(viewer.account_id)
    if account is None:
        raise LookupError("the viewer's account is gone")
    return account


def edition_preview(viewer: Viewer, edition: str, now: datetime, policy: Policy) -> EditionPreview:
    """When the edition would apply: a trial's conversion keeps its free days; a customer's upgrade counts
    at once and a downgrade from the next month's first day (the edition service's rule)."""
    from shared.rules.billing import edition_change_effective_at

    account = _account(viewer)
    zone = ZoneInfo(policy.company_time_zone)
    today = local_day(now, zone)
    if account.state == "trial" and account.trial_ends_on:
        paid_from = first_paid_day(date.fromisoformat(account.trial_ends_on), today)
        return EditionPreview(edition, paid_from, True, True)
    ranks = {name: terms.rank for name, terms in policy.billing.editions.items()}
    effective_at = edition_change_effective_at(account.edition, edition, now, ranks, policy.company_time_zone)
    applies_on = local_day(effective_at, zone)
    return EditionPreview(edition, applies_on, effective_at <= now, False)


def become_customer(viewer: Viewer, edition: str, address: Any, now: datetime, policy: Policy) -> Any:
    """The trial's admin becomes a customer: the billing address (the address service validates it, a public
    body's Leitweg-ID included), then the edition service's conversion. An invalid address stores nothing."""
    from shared.services.accounts.edition import subscribe
    from shared.services.billing.address import set_billing_address

    account = _account(viewer)
    set_billing_address(account, address, now)
    return subscribe(viewer.account_id, edition, now, policy)


def change_edition(viewer: Viewer, edition: str, shown_on: date, now: datetime, policy: Policy) -> Any:
    """The customer's edition change as previewed; PreviewOutdated if it would apply on another day now."""
    from shared.services.accounts.edition import subscribe

    if edition_preview(viewer, edition, now, policy).applies_on != shown_on:
        raise PreviewOutdated()
    return subscribe(viewer.account_id, edition, now, policy)


def cancellation_preview(viewer: Viewer, now: datetime, policy: Policy) -> date:
    """The day the contract would end if the admin cancelled now: today's receipt, the notice rule (SPEC §5)."""
    from shared.derived import company_calendar
    from shared.rules.cancellation import cancellation_effective_date

    account = _account(viewer)
    if account.state != "customer":
        raise NothingToCancel(account.state)
    today = local_day(now, ZoneInfo(policy.company_time_zone))
    return cancellation_effective_date(today, company_calendar(), policy.cancellation.notice_working_days)


def cancel(viewer: Viewer, shown_effective_on: date, now: datetime, policy: Policy) -> Any:
    """Cancel in the app as previewed (the cancellation service, channel "app"); PreviewOutdated if the day moved."""
    from shared.services.accounts import cancellation

    if cancellation_preview(viewer, now, policy) != shown_effective_on:
        raise PreviewOutdated()
    return cancellation.cancel(viewer.account_id, None, "app", now, _account(viewer))


def withdraw_cancellation(viewer: Viewer, now: datetime) -> Any:
    from shared.services.accounts import cancellation

    return cancellation.withdraw(_account(viewer), now)


def add_user(viewer: Viewer, email: str, name: str, now: datetime) -> Any:
    from shared.services.accounts.users import activate_user

    viewer.must_be_admin()
    return activate_user(viewer.account_id, email, name, now)[0]


def deactivate_user(viewer: Viewer, user_id: str, now: datetime) -> Any:
    """None if the account has no such user (another account's id is simply not found)."""
    from shared.services.accounts.users import deactivate_user as deactivate

    viewer.must_be_admin()
    return deactivate(viewer.account_id, user_id, now)
