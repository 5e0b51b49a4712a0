"""Accounts: signup, verification and reading an account with its users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules.clock import start_of_day
from shared.rules.identity import new_id, new_secret_token, normalize_email, token_hash, user_id_for_email
from shared.rules.signup import TrialPeriod, trial_period
from shared.storage.db import ConditionFailed, transaction
from shared.storage.keys.accounts import (
    ACCOUNT_SK,
    EMAIL_RESERVATION_SK,
    VERIFICATION_SK,
    contact_lookup_key,
    email_reservation_key,
    seat_sk,
    token_hash_of_key,
    user_sk,
    verification_key,
)
from shared.storage.models import (
    Account,
    CocoonItem,
    EmailReservation,
    ScheduledAction,
    SeatEvent,
    User,
    VerificationLink,
    account_pk,
)
from shared.storage.outbox import queue_mail
from shared.storage.schedule import action_sk, scheduled_action
from shared.storage.tokens import new_tenant_token


class EmailTaken(Exception):
    """The e-mail belongs to a live account (or a signup waiting for verification)."""

    def __init__(self, pending: bool) -> None:
        super().__init__("e-mail taken")
        self.pending = pending


class LinkInvalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "expired" | "used"


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


def seat_event(account_id: str, user_id: str, activated: bool, now: datetime) -> SeatEvent:
    """An activation or deactivation, kept with its moment: billing counts every user active in a month."""
    return SeatEvent(
        account_pk(account_id),
        seat_sk(user_id, now),
        account_id=account_id,
        user_id=user_id,
        activated=activated,
        at=now,
    )


def get_account(account_id: str) -> Account | None:
    try:
        return Account.get(account_pk(account_id), ACCOUNT_SK)
    except Account.DoesNotExist:
        return None


def account_state(account_id: str) -> str | None:
    account = get_account(account_id)
    return account.state if account else None


def start_signup(signup: NewSignup, now: datetime, policy: Policy) -> str:
    """Record a pending signup and its verification mail in one transaction; return the account id.

    The e-mail reservation is the lock: of many parallel signups with one
    address, exactly one transaction can create it.
    """
    address = normalize_email(signup.admin_email)
    reservation_key = email_reservation_key(address)
    account_id = new_id("acc_")
    link_token = new_secret_token("cv")
    valid_until = now + timedelta(hours=policy.signup.verification_link_hours)
    account = Account(
        account_pk(account_id),
        ACCOUNT_SK,
        account_id=account_id,
        state="pending_verification",
        company_name=signup.company_name,
        organization_type=signup.organization_type,
        country=signup.country,
        vat_id=signup.vat_id,
        admin_name=signup.admin_name,
        admin_email=address,
        language=signup.language,
        dpa_version=policy.dpa_version,
        dpa_accepted_at=now,
        created_at=now,
        verification_key=verification_key(token_hash(link_token)),
        street=signup.street,
        postcode=signup.postcode,
        city=signup.city,
        billing_email=normalize_email(signup.billing_email) if signup.billing_email else None,
    )
    reservation = EmailReservation(
        reservation_key, EMAIL_RESERVATION_SK, account_id=account_id, reserved_until=valid_until
    )
    link = VerificationLink(
        verification_key(token_hash(link_token)),
        VERIFICATION_SK,
        account_id=account_id,
        valid_until=valid_until,
        admin_name=signup.admin_name,
        admin_email=address,
        language=signup.language,
        expires_at=now + timedelta(days=policy.signup.unverified_deleted_after_days + 1),
    )
    purge = scheduled_action(
        account_id, "lifecycle", "purge-unverified", now + timedelta(days=policy.signup.unverified_deleted_after_days)
    )
    from shared.settings import get_settings

    mail = queue_mail(
        mail_id=f"verify-{account_id}",
        account_id=account_id,
        recipient=address,
        template="signup_verification",
        language=signup.language,
        context={
            "company_name": signup.company_name,
            "admin_name": signup.admin_name,
            "trial_days": policy.trial.length_days,
            "verification_url": f"{get_settings().public_url}/signup/verify?token={link_token}",
            "valid_until": valid_until.astimezone(ZoneInfo(policy.company_time_zone)).strftime("%Y-%m-%d %H:%M %Z"),
            "unverified_days": policy.signup.unverified_deleted_after_days,
        },
        now=now,
    )
    from shared.storage.search import search_entries

    # Free, or held by a signup whose link expired (or an account no longer live): then we take it over.
    reservation_free = EmailReservation.pk.does_not_exist() | (EmailReservation.reserved_until <= now)
    try:
        with transaction() as tx:
            tx.save(reservation, condition=reservation_free)
            tx.save(account, condition=Account.pk.does_not_exist())
            for entry in search_entries(account):  # the desk finds it by name and VAT ID from now on
                tx.save(entry)
            tx.save(link, condition=VerificationLink.pk.does_not_exist())
            tx.save(purge)
            tx.save(mail, condition=CocoonItem.pk.does_not_exist())
    except ConditionFailed as exc:
        # Only now read who holds the address, to say why: the happy path needs no read at all.
        try:
            holder = EmailReservation.get(reservation_key, EMAIL_RESERVATION_SK, consistent_read=True)
        except EmailReservation.DoesNotExist:
            holder = None
        raise EmailTaken(pending=holder is not None and holder.reserved_until is not None) from exc
    return account_id


def verify_signup(link_token: str, now: datetime, policy: Policy) -> Verified:
    """Consume a verification link: start the trial, hand out the admin token once."""
    try:
        link = VerificationLink.get(verification_key(token_hash(link_token)), VERIFICATION_SK)
    except VerificationLink.DoesNotExist as exc:
        raise LinkInvalid("unknown") from exc
    if link.valid_until <= now:
        raise LinkInvalid("expired")

    zone = ZoneInfo(policy.company_time_zone)
    account_id = link.account_id
    trial = trial_period(now, zone, policy.trial.length_days)
    admin_token, token_item = new_tenant_token(account_id, now)
    address = normalize_email(link.admin_email)
    admin_id = user_id_for_email(address)
    admin = User(
        account_pk(account_id),
        user_sk(admin_id),
        account_id=account_id,
        user_id=admin_id,
        email=address,
        name=link.admin_name,
        role="admin",
        active=True,
        created_at=now,
        lookup_key=contact_lookup_key(address),
    )
    seat = seat_event(account_id, admin_id, True, now)
    trial_end = trial.ends_at(zone)
    schedule = [
        scheduled_action(
            account_id, "trial-expiry", f"reminder-{days}", start_of_day(trial.last_day - timedelta(days=days), zone)
        )
        for days in policy.trial.reminder_days_before_end
    ]
    schedule.append(scheduled_action(account_id, "trial-expiry", "expire", trial_end))
    try:
        with transaction() as tx:
            tx.delete(link, condition=VerificationLink.pk.exists())
            tx.update(
                Account(account_pk(account_id), ACCOUNT_SK),
                actions=[
                    Account.state.set("trial"),
                    Account.verified_at.set(now),
                    Account.trial_started_on.set(trial.first_day.isoformat()),
                    Account.trial_ends_on.set(trial.last_day.isoformat()),
                    Account.token_hashes.set(Account.token_hashes.append([token_hash_of_key(token_item.pk)])),
                ],
                condition=Account.state == "pending_verification",
            )
            tx.update(
                EmailReservation(email_reservation_key(address), EMAIL_RESERVATION_SK),
                actions=[EmailReservation.reserved_until.remove()],
                condition=EmailReservation.account_id == account_id,
            )
            tx.save(token_item, condition=CocoonItem.pk.does_not_exist())
            tx.save(admin)
            tx.save(seat)
            tx.delete(ScheduledAction(account_pk(account_id), action_sk("lifecycle", "purge-unverified")))
            for item in schedule:
                tx.save(item)
    except ConditionFailed as exc:
        raise LinkInvalid("used") from exc
    return Verified(account_id=account_id, admin_token=admin_token, trial=trial)


def account_items(account_id: str) -> list[CocoonItem]:
    """Everything in the account's partition, in one paginated Query."""
    return list(CocoonItem.query(account_pk(account_id)))
