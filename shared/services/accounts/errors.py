"""Why an account's use case refused: the HTTP edge turns each into its 4xx."""

from __future__ import annotations

from datetime import date

from shared.services.errors import ServiceError


class AccountNotFound(ServiceError):
    """No such account (or not the caller's: the edge answers 404 either way)."""


class NotACustomer(ServiceError):
    """Only a customer has a contract to cancel."""

    def __init__(self, state: str) -> None:
        super().__init__(f"the account is {state}")
        self.state = state


class ReceivedInFuture(ServiceError):
    """A cancellation cannot have been received after today."""

    def __init__(self, today: date) -> None:
        super().__init__(f"must be {today.isoformat()} or earlier")  # the answer names the field with this
        self.today = today


class ReceivedBeforeAccount(ServiceError):
    """A day of receipt before the account existed: no contract to cancel then, and it would end one in the past."""

    def __init__(self, created_on: date) -> None:
        super().__init__(f"must be {created_on.isoformat()} or later")  # the answer names the field with this
        self.created_on = created_on


class NoPendingCancellation(ServiceError):
    """There is nothing to show or withdraw."""


class CancellationNotWithdrawable(ServiceError):
    """The cancellation took effect (or changed) before the withdrawal committed."""


class StaleState(ServiceError):
    """The store's transaction found the account changed meanwhile (a race)."""


class AdminNotDeactivatable(Exception):
    """The account's admin stays active: an account always has someone who can act for it."""


class UnknownApp(Exception):
    """No such app in the app store; `catalogue` names the ones there are."""

    def __init__(self, app_id: str, catalogue: list[str]) -> None:
        super().__init__(f"There is no app {app_id!r}; apps: {', '.join(catalogue)}.")
        self.catalogue = catalogue


class EmailTaken(Exception):
    """The e-mail belongs to a live account (or, `pending`, a signup waiting for verification)."""

    def __init__(self, pending: bool) -> None:
        super().__init__("e-mail taken")
        self.pending = pending


class LinkInvalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unknown" | "expired" | "used"


class NotConvertible(Exception):
    """After the trial has ended only staff can bring the account back (a reactivation)."""


class NotDeactivated(Exception):
    """Only a deactivated account can be reactivated."""

    def __init__(self, state: str) -> None:
        super().__init__(f"The account is {state}, not deactivated.")
        self.state = state
