"""The history of staff actions on an account (who, what, when): items in the account's partition.

An action is written in the transaction of its effect where the effect is ours to commit here (lifting a
suppression); after the effect's own transaction otherwise (a cancellation, a reactivation: their
services commit them), so a crash between the two loses at most the note, never the effect.
"""

from __future__ import annotations

from datetime import datetime

from shared.rules.identity import new_id
from shared.storage.keys.search import STAFF_ACTION_PREFIX, staff_action_sk
from shared.storage.models import StaffAction, SuppressedAddress, account_pk
from shared.storage.suppressions import suppression_key


def staff_action(account_id: str, staff_id: str, action: str, detail: str, now: datetime) -> StaffAction:
    action_id = new_id("act_")
    return StaffAction(
        account_pk(account_id),
        staff_action_sk(now, action_id),
        account_id=account_id,
        action_id=action_id,
        staff_id=staff_id,
        action=action,
        detail=detail,
        at=now,
    )


def record(entry: StaffAction) -> None:
    entry.save(condition=StaffAction.pk.does_not_exist())


def lift_suppression_recorded(address: str, entry: StaffAction) -> bool:
    """Mail the address again and note who did it, in one transaction. False: it was not stopped."""
    from shared.storage.db import ConditionFailed, transaction

    try:
        with transaction() as tx:
            tx.delete(SuppressedAddress(*suppression_key(address)), condition=SuppressedAddress.pk.exists())
            tx.save(entry, condition=StaffAction.pk.does_not_exist())
    except ConditionFailed:
        return False
    return True


def is_staff_action_sk(sort_key: str) -> bool:
    return sort_key.startswith(STAFF_ACTION_PREFIX)
