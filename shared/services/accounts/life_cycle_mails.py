"""The life cycle's mails, composed here and stored by storage in the transaction of their cause.

Conversion, the trial's reminders, a deactivation and the deletion warning: each mail id names its
event, so the outbox refuses a second mail for it (a job that runs again mails nobody twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from shared.mail.compose import ComposedMail, compose_mail
from shared.mail.context import AddressedAccount, mail_context
from shared.policy import Policy
from shared.rules.accounts.dates import deletion_day, deletion_warning_moment
from shared.rules.clock import local_day, start_of_day


class LifeCycleAccount(AddressedAccount, Protocol):
    @property
    def trial_ends_on(self) -> str | None: ...
    @property
    def deactivated_on(self) -> str | None: ...


def _account_mail(
    account: LifeCycleAccount, mail_id: str, template: str, now: datetime, policy: Policy, **context: object
) -> ComposedMail:
    return compose_mail(
        mail_id=mail_id,
        account_id=account.account_id,
        recipient=account.admin_email,
        template=template,
        language=account.language,
        context=mail_context(account, policy, **context),
        now=now,
    )


def conversion_mail(
    account: LifeCycleAccount, edition: str, paid_from: date, now: datetime, policy: Policy
) -> ComposedMail:
    return _account_mail(
        account, f"converted-{account.account_id}", "conversion_confirmation", now, policy,
        edition=edition, paid_from=paid_from.isoformat(),
    )


def trial_reminder_mail(account: LifeCycleAccount, days: int, now: datetime, policy: Policy) -> ComposedMail:
    return _account_mail(
        account, f"trial-reminder-{days}-{account.account_id}", "trial_reminder", now, policy,
        days_left=days, trial_ends_on=account.trial_ends_on,
    )


@dataclass(frozen=True)
class Deactivation:
    """A deactivation's days, its follow-ups' moments and its mail: what storage records in one transaction."""

    deactivated_on: date
    warn_at: datetime
    delete_at: datetime
    mail: ComposedMail


def deactivation(account: LifeCycleAccount, reason: str, now: datetime, policy: Policy) -> Deactivation:
    """Deactivated today (trial ran out, or a cancellation took effect); deleted after the retention period."""
    zone = ZoneInfo(policy.company_time_zone)
    deactivated_on = local_day(now, zone)
    deletion_on = deletion_day(deactivated_on, policy.retention.deleted_after_days)
    delete_at = start_of_day(deletion_on, zone)
    warn_at = deletion_warning_moment(delete_at, policy.retention.deletion_warning_days_before)
    mail = _account_mail(
        account, f"deactivated-{account.account_id}-{deactivated_on.isoformat()}", f"deactivated_{reason}", now,
        policy, deletion_on=deletion_on.isoformat(), retention_days=policy.retention.deleted_after_days,
    )
    return Deactivation(deactivated_on, warn_at, delete_at, mail)


def deletion_warning_mail(account: LifeCycleAccount, now: datetime, policy: Policy) -> ComposedMail:
    zone = ZoneInfo(policy.company_time_zone)
    assert account.deactivated_on is not None
    deletion_on = deletion_day(date.fromisoformat(account.deactivated_on), policy.retention.deleted_after_days)
    return _account_mail(
        account, f"deletion-warning-{account.account_id}-{account.deactivated_on}", "deletion_warning", now, policy,
        deletion_on=deletion_on.isoformat(), days_left=(deletion_on - local_day(now, zone)).days,
    )
