"""Signup and verification (SPEC §2): a pending signup with its link and mail; the link starts the trial.

Decided here: the address is normalized, the link is valid for the policy's hours, an unverified
signup is purged after the policy's days, the trial's days and its reminders. The store saves each
step in one transaction (DynamoDB's: signup_store.SignupTable; fakes in the unit tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from shared.mail.compose import ComposedMail, compose_mail
from shared.policy import Policy
from shared.rules.clock import start_of_day
from shared.rules.identity import new_id, new_secret_token, normalize_email, token_hash
from shared.rules.signup import TrialPeriod, trial_period
from shared.services.accounts.errors import LinkInvalid

# A scheduled action to save: (job, action, due at).
Schedule = list[tuple[str, str, datetime]]


@dataclass(frozen=True)
class NewSignup:
    company_name: str
    organization_type: str
    country: str
    vat_id: str | None
    admin_name: str
    admin_email: str
    language: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    billing_email: str | None = None


@dataclass(frozen=True)
class Verified:
    account_id: str
    admin_token: str
    trial: TrialPeriod


class PendingLink(Protocol):
    """A verification link as stored."""

    @property
    def account_id(self) -> str: ...
    @property
    def valid_until(self) -> datetime: ...
    @property
    def admin_email(self) -> str: ...


class SignupStore(Protocol):
    def save_pending_signup(
        self,
        account_id: str,
        account_fields: Mapping[str, Any],
        link_hash: str,
        valid_until: datetime,
        link_expires_at: datetime,
        purge_at: datetime,
        mail: ComposedMail,
        now: datetime,
    ) -> None:
        """Raises EmailTaken if the address is reserved."""
        ...

    def verification_link(self, link_hash: str) -> PendingLink | None: ...

    def save_verification(
        self, link: PendingLink, address: str, trial: TrialPeriod, schedule: Schedule, now: datetime
    ) -> str:
        """The admin token; raises LinkInvalid("used") if the link was used meanwhile."""
        ...


def start_signup(signup: NewSignup, now: datetime, policy: Policy, *, store: SignupStore | None = None) -> str:
    """Record a pending signup and its verification mail; the account id. EmailTaken if the address is."""
    store = store or _table()
    address = normalize_email(signup.admin_email)
    account_id = new_id("acc_")
    link_token = new_secret_token("cv")
    valid_until = now + timedelta(hours=policy.signup.verification_link_hours)
    unverified_days = policy.signup.unverified_deleted_after_days
    account_fields: dict[str, Any] = {
        "company_name": signup.company_name,
        "organization_type": signup.organization_type,
        "country": signup.country,
        "vat_id": signup.vat_id,
        "admin_name": signup.admin_name,
        "admin_email": address,
        "language": signup.language,
        "dpa_version": policy.dpa_version,
        "dpa_accepted_at": now,
        "street": signup.street,
        "postcode": signup.postcode,
        "city": signup.city,
        "billing_email": normalize_email(signup.billing_email) if signup.billing_email else None,
    }
    mail = compose_mail(
        mail_id=f"verify-{account_id}",
        account_id=account_id,
        recipient=address,
        template="signup_verification",
        language=signup.language,
        context={
            "company_name": signup.company_name,
            "admin_name": signup.admin_name,
            "trial_days": policy.trial.length_days,
            "verification_url": f"{_public_url()}/signup/verify?token={link_token}",
            "valid_until": valid_until.astimezone(ZoneInfo(policy.company_time_zone)).strftime("%Y-%m-%d %H:%M %Z"),
            "unverified_days": unverified_days,
        },
        now=now,
    )
    store.save_pending_signup(
        account_id,
        account_fields,
        token_hash(link_token),
        valid_until,
        link_expires_at=now + timedelta(days=unverified_days + 1),
        purge_at=now + timedelta(days=unverified_days),
        mail=mail,
        now=now,
    )
    return account_id


def trial_schedule(trial: TrialPeriod, zone: ZoneInfo, policy: Policy) -> Schedule:
    """The trial's due actions: a reminder at the start of each reminder day, the expiry when it ends."""
    schedule: Schedule = [
        ("trial-expiry", f"reminder-{days}", start_of_day(trial.last_day - timedelta(days=days), zone))
        for days in policy.trial.reminder_days_before_end
    ]
    schedule.append(("trial-expiry", "expire", trial.ends_at(zone)))
    return schedule


def verify_signup(link_token: str, now: datetime, policy: Policy, *, store: SignupStore | None = None) -> Verified:
    """Consume a verification link: start the trial, hand out the admin token once."""
    store = store or _table()
    link = store.verification_link(token_hash(link_token))
    if link is None:
        raise LinkInvalid("unknown")
    if link.valid_until <= now:
        raise LinkInvalid("expired")
    zone = ZoneInfo(policy.company_time_zone)
    trial = trial_period(now, zone, policy.trial.length_days)
    admin_token = store.save_verification(
        link, normalize_email(link.admin_email), trial, trial_schedule(trial, zone, policy), now
    )
    return Verified(account_id=link.account_id, admin_token=admin_token, trial=trial)


# Loaded on first use, so importing the use case (and its unit tests) needs no settings or AWS.
def _public_url() -> str:
    from shared.settings import get_settings

    return get_settings().public_url


def _table() -> SignupStore:
    from shared.services.accounts.signup_store import SignupTable

    return SignupTable()
