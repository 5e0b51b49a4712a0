"""Accounts in storage: saving a signup and its verification, reading an account with its users.

What a signup decides (addresses, validity, trial dates, the mail) is shared.services.accounts.signup's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.rules.identity import user_id_for_email
from shared.rules.signup import TrialPeriod
from shared.storage import payment_models  # noqa: F401  # a partition read must know the payment items
from shared.storage.db import ConditionFailed, transaction
from shared.storage.keys.accounts import (
    ACCOUNT_SK,
    EMAIL_RESERVATION_SK,
    USER_PREFIX,
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
from shared.storage.outbox import MailToStore, outbox_mail
from shared.storage.schedule import action_sk, scheduled_action
from shared.storage.tokens import new_tenant_token


class ReservationHeld(Exception):
    """The e-mail's reservation belongs to a live account, or (`pending`) a signup waiting for verification."""

    def __init__(self, pending: bool) -> None:
        super().__init__("e-mail reserved")
        self.pending = pending


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


def save_pending_signup(
    account_id: str,
    account_fields: Mapping[str, Any],
    link_hash: str,
    valid_until: datetime,
    link_expires_at: datetime,
    purge_at: datetime,
    mail: MailToStore,
    now: datetime,
) -> None:
    """Record a pending signup, its verification link, its purge and its mail in one transaction.

    The e-mail reservation is the lock: of many parallel signups with one address, exactly one
    transaction can create it; ReservationHeld says who holds it otherwise.
    """
    address = str(account_fields["admin_email"])
    reservation_key = email_reservation_key(address)
    account = Account(
        account_pk(account_id),
        ACCOUNT_SK,
        account_id=account_id,
        state="pending_verification",
        created_at=now,
        verification_key=verification_key(link_hash),
        **account_fields,
    )
    reservation = EmailReservation(
        reservation_key, EMAIL_RESERVATION_SK, account_id=account_id, reserved_until=valid_until
    )
    link = VerificationLink(
        verification_key(link_hash),
        VERIFICATION_SK,
        account_id=account_id,
        valid_until=valid_until,
        admin_name=account_fields["admin_name"],
        admin_email=address,
        language=account_fields["language"],
        expires_at=link_expires_at,
    )
    purge = scheduled_action(account_id, "lifecycle", "purge-unverified", purge_at)
    outbox_item = outbox_mail(mail)
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
            tx.save(outbox_item, condition=CocoonItem.pk.does_not_exist())
    except ConditionFailed as exc:
        # Only now read who holds the address, to say why: the happy path needs no read at all.
        try:
            holder = EmailReservation.get(reservation_key, EMAIL_RESERVATION_SK, consistent_read=True)
        except EmailReservation.DoesNotExist:
            holder = None
        raise ReservationHeld(pending=holder is not None and holder.reserved_until is not None) from exc


def verification_link(link_hash: str) -> VerificationLink | None:
    try:
        return VerificationLink.get(verification_key(link_hash), VERIFICATION_SK)
    except VerificationLink.DoesNotExist:
        return None


def save_verification(
    link: VerificationLink,
    address: str,
    trial: TrialPeriod,
    schedule: list[tuple[str, str, datetime]],
    now: datetime,
) -> str:
    """Consume the link, start the trial with its admin, seat and scheduled actions; the admin token, once.

    ConditionFailed: the link was used meanwhile (or the account is no longer waiting for it).
    """
    account_id = link.account_id
    admin_token, token_item = new_tenant_token(account_id, now)
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
        for job, action, due_at in schedule:
            tx.save(scheduled_action(account_id, job, action, due_at))
    return admin_token


def account_items(account_id: str) -> list[CocoonItem]:
    """Everything in the account's partition, in one paginated Query."""
    return list(CocoonItem.query(account_pk(account_id)))


def account_partition(account_id: str) -> tuple[Account | None, list[CocoonItem]]:
    """The account's partition in one Query, with the account item found in it (None: no account)."""
    items = account_items(account_id)
    account = next((item for item in items if isinstance(item, Account) and item.sk == ACCOUNT_SK), None)
    return account, items


def users_of(account_id: str) -> list[User]:
    """The account's users, active or not, in one Query of the user items."""
    return [
        item for item in User.query(account_pk(account_id), User.sk.startswith(USER_PREFIX)) if isinstance(item, User)
    ]
