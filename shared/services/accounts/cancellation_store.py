"""The cancellation use case's storage in DynamoDB: storage's functions, its conflicts as StaleState."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.policy import Policy
from shared.services.accounts.errors import StaleState


class CancellationTable:
    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    def get_account(self, account_id: str) -> Any:
        from shared.storage.accounts import get_account

        return get_account(account_id)

    def record(self, account: Any, received_on: date, effective_on: date, channel: str, now: datetime) -> Any:
        from shared.services.accounts.cancellation_mails import cancellation_confirmation
        from shared.storage.cancellations import record_cancellation
        from shared.storage.lifecycle import StateConflict

        confirmation = cancellation_confirmation(account, received_on, effective_on, channel, now, self._policy)
        try:
            return record_cancellation(account, received_on, effective_on, channel, now, self._policy, confirmation)
        except StateConflict as exc:
            raise StaleState(str(exc)) from exc

    def withdraw(self, account: Any, now: datetime) -> Any:
        from shared.services.accounts.cancellation_mails import cancellation_withdrawn
        from shared.storage.cancellations import withdraw_cancellation
        from shared.storage.lifecycle import StateConflict

        if account.cancellation is None:
            raise StaleState("there is no pending cancellation")
        withdrawal = cancellation_withdrawn(account, account.cancellation.effective_on, now, self._policy)
        try:
            return withdraw_cancellation(account, withdrawal)
        except StateConflict as exc:
            raise StaleState(str(exc)) from exc
