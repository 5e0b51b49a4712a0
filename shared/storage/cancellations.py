"""Recording and withdrawing cancellations, with their confirmation mails and the deactivation they schedule."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules.accounts.dates import moment_after
from shared.storage.attributes import CancellationRecord
from shared.storage.db import ConditionFailed, transaction
from shared.storage.keys.accounts import ACCOUNT_SK
from shared.storage.lifecycle import StateConflict
from shared.storage.models import Account, CocoonItem, ScheduledAction, account_pk
from shared.storage.outbox import MailToStore, outbox_mail
from shared.storage.schedule import action_sk, scheduled_action

EFFECTIVE_ACTION = "cancellation-effective"


def record_cancellation(
    account: Account,
    received_on: date,
    effective_on: date,
    channel: str,
    now: datetime,
    policy: Policy,
    confirmation: MailToStore,
) -> CancellationRecord:
    """Record a customer's cancellation: the account ends with `effective_on`, deactivated the moment after."""
    zone = ZoneInfo(policy.company_time_zone)
    record = CancellationRecord(
        received_on=received_on.isoformat(),
        effective_on=effective_on.isoformat(),
        channel=channel,
        recorded_at=now.isoformat(),
    )
    deactivate_at = moment_after(effective_on, zone)
    mail = outbox_mail(confirmation)
    try:
        with transaction() as tx:
            tx.update(
                Account(account_pk(account.account_id), ACCOUNT_SK),
                actions=[Account.cancellation.set(record)],
                condition=(Account.state == "customer") & Account.cancellation.does_not_exist(),
            )
            tx.save(scheduled_action(account.account_id, "lifecycle", EFFECTIVE_ACTION, deactivate_at))
            tx.save(mail, condition=CocoonItem.pk.does_not_exist())
    except ConditionFailed as exc:
        raise StateConflict("a cancellation is already pending, or the account is not a customer") from exc
    return record


def withdraw_cancellation(account: Account, withdrawal: MailToStore) -> CancellationRecord:
    """Withdraw a pending cancellation before it takes effect; the contract simply goes on."""
    record = account.cancellation
    if record is None:
        raise StateConflict("there is no pending cancellation")
    mail = outbox_mail(withdrawal)
    try:
        with transaction() as tx:
            tx.update(
                Account(account_pk(account.account_id), ACCOUNT_SK),
                actions=[Account.cancellation.remove()],
                condition=(Account.state == "customer") & (Account.cancellation.effective_on == record.effective_on),
            )
            # Conditioned on still existing: if the job already took it, the contract has ended.
            tx.delete(
                ScheduledAction(account_pk(account.account_id), action_sk("lifecycle", EFFECTIVE_ACTION)),
                condition=ScheduledAction.pk.exists(),
            )
            tx.save(mail, condition=CocoonItem.pk.does_not_exist())
    except ConditionFailed as exc:
        raise StateConflict("the cancellation has already taken effect or changed") from exc
    return record
