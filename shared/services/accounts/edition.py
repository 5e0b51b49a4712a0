"""Becoming a customer, changing edition and reactivation (SPEC §2, §4): which change, from when.

Decided here: a trial converts and keeps its free days; a customer's upgrade counts at once, a
downgrade from the next month's first day; a reactivation is paid from its day. Storage records each
change with its history, billing cursor and mail in one transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules.accounts.dates import first_paid_day
from shared.rules.clock import local_day
from shared.services.accounts.errors import AccountNotFound, NotConvertible, NotDeactivated, StaleState


def subscribe(account_id: str, edition: str, now: datetime, policy: Policy, account: Any | None = None) -> Any:
    """A trial becomes a customer, a customer changes edition; the storage's EditionOutcome."""
    from shared.rules.billing import edition_change_effective_at
    from shared.services.accounts.life_cycle_mails import conversion_mail
    from shared.services.billing.address import require_billing_address
    from shared.storage import lifecycle

    account = account or _account(account_id)
    zone = ZoneInfo(policy.company_time_zone)
    if account.state in ("trial", "customer"):
        require_billing_address(account)  # a customer is invoiced: §14 UStG needs the buyer's address (issue 17)
    try:
        if account.state == "trial":
            assert account.trial_ends_on is not None
            paid_from = first_paid_day(date.fromisoformat(account.trial_ends_on), local_day(now, zone))
            confirmation = conversion_mail(account, edition, paid_from, now, policy)
            return lifecycle.convert_trial(account, edition, paid_from, now, policy, confirmation)
        if account.state == "customer":
            ranks = {name: e.rank for name, e in policy.billing.editions.items()}
            effective_at = edition_change_effective_at(account.edition, edition, now, ranks, policy.company_time_zone)
            return lifecycle.change_edition(account, edition, effective_at, now)
    except lifecycle.StateConflict as exc:
        raise StaleState(str(exc)) from exc
    raise NotConvertible(account.state)


def reactivate(account_id: str, edition: str, now: datetime, policy: Policy, account: Any | None = None) -> Any:
    """Staff bring a deactivated account back as a customer; the trial is long over: paid from today."""
    from shared.storage import lifecycle

    account = account or _account(account_id)
    from shared.services.billing.address import require_billing_address

    if account.state != "deactivated":
        raise NotDeactivated(account.state)
    require_billing_address(account)
    paid_from = first_paid_day(None, local_day(now, ZoneInfo(policy.company_time_zone)))
    try:
        return lifecycle.reactivate(account, edition, paid_from, now, policy)
    except lifecycle.StateConflict as exc:
        raise StaleState(str(exc)) from exc


def _account(account_id: str) -> Any:
    from shared.storage.accounts import get_account

    account = get_account(account_id)
    if account is None:
        raise AccountNotFound(account_id)
    return account
