"""Why an account's use case refused: the HTTP edge turns each into its 4xx."""

from __future__ import annotations

from datetime import date


class AccountNotFound(Exception):
    """No such account (or not the caller's: the edge answers 404 either way)."""


class NotACustomer(Exception):
    """Only a customer has a contract to cancel."""

    def __init__(self, state: str) -> None:
        super().__init__(f"the account is {state}")
        self.state = state


class ReceivedInFuture(Exception):
    """A cancellation cannot have been received after today."""

    def __init__(self, today: date) -> None:
        super().__init__(f"received after {today.isoformat()}")
        self.today = today


class NoPendingCancellation(Exception):
    """There is nothing to show or withdraw."""


class CancellationNotWithdrawable(Exception):
    """The cancellation took effect (or changed) before the withdrawal committed."""
