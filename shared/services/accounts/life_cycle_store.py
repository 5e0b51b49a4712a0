"""The life-cycle and trial jobs' storage in DynamoDB: storage's functions behind the use cases' store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.policy import Policy


class LifeCycleTable:
    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    def get_account(self, account_id: str) -> Any:
        from shared.storage.accounts import get_account

        return get_account(account_id)

    def account_partition(self, account_id: str) -> tuple[Any, list[Any]]:
        from shared.storage.accounts import account_partition

        return account_partition(account_id)

    def drop(self, action: Any) -> None:
        from shared.storage.schedule import drop_action

        drop_action(action)

    def purge(self, account_id: str, reason: str, now: datetime, account: Any, items: list[Any]) -> None:
        from shared.storage.lifecycle import purge_account

        purge_account(account_id, reason, now, account, items)

    def deactivate(self, action: Any, account: Any, reason: str, now: datetime, expected_state: str) -> None:
        from shared.services.accounts.life_cycle_mails import deactivation
        from shared.storage.lifecycle import deactivate

        decided = deactivation(account, reason, now, self._policy)
        deactivate(
            action, account, decided.deactivated_on, decided.warn_at, decided.delete_at, decided.mail, now,
            expected_state=expected_state,
        )

    def warn_of_deletion(self, action: Any, account: Any, now: datetime) -> None:
        from shared.services.accounts.life_cycle_mails import deletion_warning_mail
        from shared.storage.lifecycle import send_deletion_warning

        send_deletion_warning(action, deletion_warning_mail(account, now, self._policy))

    def remind_of_trial_end(self, action: Any, account: Any, days: int, now: datetime) -> None:
        from shared.services.accounts.life_cycle_mails import trial_reminder_mail
        from shared.storage.lifecycle import send_trial_reminder

        send_trial_reminder(action, trial_reminder_mail(account, days, now, self._policy), now)
