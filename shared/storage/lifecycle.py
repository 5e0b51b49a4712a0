"""The account life cycle in storage: conversion, editions, users, deactivation, deletion.

Each change is one transaction with its history item, its scheduled follow-ups
and its mail, so a crash never leaves half a change, and a job that runs again
finds its scheduled action gone and does nothing twice.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules.identity import normalize_email, user_id_for_email
from shared.storage import payment_models  # noqa: F401  # a partition read must know the payment items
from shared.storage.accounts import seat_event
from shared.storage.db import ConditionFailed, transaction
from shared.storage.keys.accounts import (
    ACCOUNT_SK,
    EMAIL_RESERVATION_SK,
    TOKEN_SK,
    VERIFICATION_SK,
    contact_lookup_key,
    edition_sk,
    email_reservation_key,
    token_key,
    tombstone_key,
    user_sk,
)
from shared.storage.models import (
    Account,
    ApiToken,
    Authorizer,
    CocoonItem,
    EditionChange,
    EmailReservation,
    ScheduledAction,
    Tombstone,
    User,
    VerificationLink,
    account_pk,
)
from shared.storage.outbox import MailToStore, commit_with_mails, outbox_mail
from shared.storage.schedule import action_sk, billing_cursor, first_billing_moment, scheduled_action

# Items kept when an account is deleted: invoices must be kept 10 years (§14b UStG, §147 AO), and with
# them what was booked on them (payments, returns: the bookkeeping of the same invoices, issue 18).
KEPT_ON_DELETION_PREFIXES = ("INVOICE#", "CREDIT#", "PAYMENT#")


class StateConflict(Exception):
    """The account is not in a state that allows this change (it changed meanwhile, or never was)."""


def edition_change(account_id: str, edition: str, effective_at: datetime, now: datetime) -> EditionChange:
    return EditionChange(
        account_pk(account_id),
        edition_sk(effective_at),
        account_id=account_id,
        edition=edition,
        effective_at=effective_at,
        requested_at=now,
    )


def _account_key(account_id: str) -> Account:
    return Account(account_pk(account_id), ACCOUNT_SK)


# --- becoming a customer and editions ------------------------------------------------------------


@dataclass(frozen=True)
class EditionOutcome:
    edition: str
    effective_at: datetime
    paid_from: date | None


def convert_trial(
    account: Account, edition: str, paid_from: date, now: datetime, policy: Policy, confirmation: MailToStore
) -> EditionOutcome:
    """A trial becomes a customer from `paid_from`, its trial's reminders and expiry go, the admin is told."""
    zone = ZoneInfo(policy.company_time_zone)
    trial_actions = [f"reminder-{days}" for days in policy.trial.reminder_days_before_end] + ["expire"]
    mail = outbox_mail(confirmation)
    try:
        with transaction() as tx:
            tx.update(
                _account_key(account.account_id),
                actions=[
                    Account.state.set("customer"),
                    Account.edition.set(edition),
                    Account.paid_from.set(paid_from.isoformat()),
                ],
                condition=Account.state == "trial",
            )
            tx.save(edition_change(account.account_id, edition, now, now))
            tx.save(billing_cursor(account.account_id, first_billing_moment(paid_from, zone)))
            for action in trial_actions:
                tx.delete(ScheduledAction(account_pk(account.account_id), action_sk("trial-expiry", action)))
            tx.save(mail, condition=CocoonItem.pk.does_not_exist())
    except ConditionFailed as exc:
        raise StateConflict("the account is no longer in its trial") from exc
    return EditionOutcome(edition, now, paid_from)


def change_edition(account: Account, edition: str, effective_at: datetime, now: datetime) -> EditionOutcome:
    """The edition from `effective_at` (at once, or pending until then); the history keeps both."""
    actions: list[Any] = []
    if effective_at <= now:
        actions = [
            Account.edition.set(edition),
            Account.pending_edition.remove(),
            Account.pending_edition_from.remove(),
        ]
    else:
        actions = [Account.pending_edition.set(edition), Account.pending_edition_from.set(effective_at)]
    try:
        with transaction() as tx:
            tx.update(_account_key(account.account_id), actions=actions, condition=Account.state == "customer")
            tx.save(edition_change(account.account_id, edition, effective_at, now))
    except ConditionFailed as exc:
        raise StateConflict("the account is not a customer") from exc
    return EditionOutcome(edition, effective_at, None)


def reactivate(account: Account, edition: str, paid_from: date, now: datetime, policy: Policy) -> EditionOutcome:
    """Staff bring a deactivated account back as a customer, paid from `paid_from`."""
    zone = ZoneInfo(policy.company_time_zone)
    try:
        with transaction() as tx:
            tx.update(
                _account_key(account.account_id),
                actions=[
                    Account.state.set("customer"),
                    Account.edition.set(edition),
                    Account.paid_from.set(paid_from.isoformat()),
                    Account.deactivated_on.remove(),
                    Account.cancellation.remove(),
                ],
                condition=Account.state == "deactivated",
            )
            tx.update(
                EmailReservation(email_reservation_key(account.admin_email), EMAIL_RESERVATION_SK),
                actions=[EmailReservation.reserved_until.remove()],
                condition=EmailReservation.account_id == account.account_id,
            )
            tx.save(edition_change(account.account_id, edition, now, now))
            tx.save(billing_cursor(account.account_id, first_billing_moment(paid_from, zone)))
            for action in ("deletion-warning", "purge"):
                tx.delete(ScheduledAction(account_pk(account.account_id), action_sk("lifecycle", action)))
    except ConditionFailed as exc:
        raise StateConflict("the account is not deactivated, or its e-mail now belongs to another account") from exc
    return EditionOutcome(edition, now, paid_from)


# --- users -----------------------------------------------------------------------------------------


def activate_user(account_id: str, address: str, name: str, now: datetime) -> tuple[User, bool]:
    """Activate a person (again); returns the user and whether anything changed."""
    address = normalize_email(address)
    user_id = user_id_for_email(address)
    try:
        existing: User | None = User.get(account_pk(account_id), user_sk(user_id))
    except User.DoesNotExist:
        existing = None
    if existing is not None and existing.active:
        return existing, False
    user = User(
        account_pk(account_id),
        user_sk(user_id),
        account_id=account_id,
        user_id=user_id,
        email=address,
        name=name,
        role=existing.role if existing else "user",
        active=True,
        created_at=existing.created_at if existing else now,
        lookup_key=contact_lookup_key(address),
    )
    with transaction() as tx:
        # Only if nobody activated them in between: otherwise we'd record a second activation.
        tx.save(user, condition=User.pk.does_not_exist() | (User.active == False))  # noqa: E712
        tx.save(seat_event(account_id, user_id, True, now))
    return user, True


def get_user(account_id: str, user_id: str) -> User | None:
    try:
        return User.get(account_pk(account_id), user_sk(user_id))
    except User.DoesNotExist:
        return None


def record_user_deactivation(user: User, now: datetime) -> User:
    """Deactivate an active user with its seat event (ConditionFailed if someone did it meanwhile)."""
    with transaction() as tx:
        tx.update(user, actions=[User.active.set(False), User.lookup_key.remove()], condition=User.active == True)  # noqa: E712
        tx.save(seat_event(user.account_id, user.user_id, False, now))
    user.active = False
    return user


# --- the jobs' actions -------------------------------------------------------------------------


def send_trial_reminder(action: ScheduledAction, reminder: MailToStore, now: datetime) -> None:
    mail = outbox_mail(reminder)
    # A reminder is automatic: it counts against the admin's hourly limit of automatic mails.
    commit_with_mails(lambda tx: tx.delete(action, condition=ScheduledAction.pk.exists()), [mail], now)


def deactivate(
    action: ScheduledAction,
    account: Account,
    deactivated_on: date,
    warn_at: datetime,
    delete_at: datetime,
    notice: MailToStore,
    now: datetime,
    expected_state: str,
) -> date:
    """Deactivate (trial ran out, or a cancellation took effect); the deletion's warning and purge are scheduled."""
    mail = outbox_mail(notice)
    with transaction() as tx:
        tx.delete(action, condition=ScheduledAction.pk.exists())
        tx.update(
            _account_key(account.account_id),
            actions=[Account.state.set("deactivated"), Account.deactivated_on.set(deactivated_on.isoformat())],
            condition=Account.state == expected_state,
        )
        # The e-mail may sign up anew once the account is no longer live.
        tx.update(
            EmailReservation(email_reservation_key(account.admin_email), EMAIL_RESERVATION_SK),
            actions=[EmailReservation.reserved_until.set(now)],
            condition=EmailReservation.account_id == account.account_id,
        )
        tx.save(scheduled_action(account.account_id, "lifecycle", "deletion-warning", warn_at))
        tx.save(scheduled_action(account.account_id, "lifecycle", "purge", delete_at))
        tx.save(mail, condition=CocoonItem.pk.does_not_exist())
    return deactivated_on


def send_deletion_warning(action: ScheduledAction, warning: MailToStore) -> None:
    mail = outbox_mail(warning)
    with transaction() as tx:
        tx.delete(action, condition=ScheduledAction.pk.exists())
        tx.save(mail, condition=CocoonItem.pk.does_not_exist())


def _delete_mail_records_outside(items: list[CocoonItem], account: Account | None) -> None:
    """SeenMail and suppression items live outside the account's partition, keyed by hashes: found by Get keys
    (never a Scan) from what the partition holds — each message records its SeenMail key, and a suppression is
    keyed by an address hash, so every address the account had or we mailed for it names its possible one.
    A suppression of an address that another account also uses goes too: a dead address bounces again.
    """
    from shared.storage.models import OutboxMail, SeenMail, SuppressedAddress, Ticket, TicketMessage
    from shared.storage.suppressions import suppression_key

    seen = {item.seen_key for item in items if isinstance(item, TicketMessage) and item.seen_key}
    addresses: set[str] = set()
    for item in items:
        if isinstance(item, User):
            addresses.add(item.email)
        elif isinstance(item, Ticket):
            addresses.add(item.requester_email)
        elif isinstance(item, OutboxMail):
            addresses.add(item.recipient)
        elif isinstance(item, Authorizer):
            addresses.add(item.email)
    if account is not None:
        addresses.update(address for address in (account.admin_email, account.billing_email) if address)
    from shared.policy import get_policy

    addresses.discard(get_policy().support.support_lead_email)  # ours, mailed about the account's tickets
    with CocoonItem.batch_write() as batch:
        for key in sorted(seen):
            batch.delete(SeenMail(f"SEEN#{key}", "SEEN"))
        for suppressed in sorted({suppression_key(address) for address in addresses}):
            batch.delete(SuppressedAddress(*suppressed))


def purge_account(
    account_id: str, reason: str, now: datetime, account: Account | None, items: list[CocoonItem] | None = None
) -> int:
    """Delete every item of the account except invoices; leave a tombstone without personal data.

    `items` is the account's partition if the caller read it already (the deletion job reads it once
    to find the account in it): the partition is then not read a second time.
    Restartable: deletes are idempotent, the tombstone is written before the
    last item (the scheduled action) goes, so a crash midway is finished by the next run.
    """
    if items is None:
        items = list(CocoonItem.query(account_pk(account_id)))
    kept = [item for item in items if item.sk.startswith(KEPT_ON_DELETION_PREFIXES)]
    doomed = [item for item in items if not item.sk.startswith(KEPT_ON_DELETION_PREFIXES)]
    counts: dict[str, int] = {}
    for item in doomed:
        counts[type(item).__name__] = counts.get(type(item).__name__, 0) + 1
    tombstone = Tombstone(
        tombstone_key(account_id),
        "TOMBSTONE",
        account_id=account_id,
        deleted_at=now,
        reason=reason,
        deactivated_on=account.deactivated_on if account else None,
        items_deleted=counts,
        invoices_kept=sum(1 for item in kept if not item.sk.startswith("PAYMENT#")),
    )
    tombstone.save()
    schedule = [item for item in doomed if isinstance(item, ScheduledAction)]
    others = [item for item in doomed if not isinstance(item, ScheduledAction)]
    with ApiToken.batch_write() as batch:
        if account is not None:
            for hashed in account.token_hashes or []:
                batch.delete(ApiToken(token_key(hashed), TOKEN_SK))
    if account is not None:
        # The reservation goes only if it is still this account's (a new signup may have taken it over).
        from pynamodb.exceptions import DeleteError

        # Taken over by another account, or already gone: then it is not ours to delete.
        with contextlib.suppress(DeleteError):
            EmailReservation(email_reservation_key(account.admin_email), EMAIL_RESERVATION_SK).delete(
                condition=EmailReservation.account_id == account_id
            )
    if account is not None and account.verification_key:
        VerificationLink(account.verification_key, VERIFICATION_SK).delete()
    _delete_mail_records_outside(items, account)
    from shared.storage.blobs import account_prefix, blob_store

    blob_store().delete_prefix(account_prefix(account_id))  # raw mails and attachments
    with CocoonItem.batch_write() as batch:
        for item in others:
            batch.delete(item)
    with CocoonItem.batch_write() as batch:
        for item in schedule:
            batch.delete(item)
    return len(doomed)
