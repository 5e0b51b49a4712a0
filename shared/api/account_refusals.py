"""Why a subscription page action was refused, as the JSON API answers it (issue 16 item 2).

The page's services raise the account services' own errors; each maps here to the 4xx the JSON
route gives for it, naming the field, so a page and the API refuse alike.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from shared.api.errors import ApiError, address_refused, conflict, forbidden

T = TypeVar("T")


def refusal_of(exc: Exception) -> ApiError | None:
    from shared.services.account_pages.billing import RotationRefused
    from shared.services.account_pages.subscription_actions import NothingToCancel, PreviewOutdated
    from shared.services.account_pages.viewer import NotTheAdmin
    from shared.services.accounts import errors
    from shared.services.billing.address import BillingAddressIncomplete

    if isinstance(exc, NotTheAdmin):
        return forbidden("admin_only", "Only the account's admin manages the subscription.")
    if isinstance(exc, BillingAddressIncomplete):
        return address_refused(exc.fields)
    if isinstance(exc, PreviewOutdated):
        message = "What you confirmed would now happen on another day: look at the new date and confirm again."
        return conflict("preview_outdated", message, {"effective_on": "changed", "applies_on": "changed"})
    if isinstance(exc, errors.StaleState):
        return conflict("state_changed", f"The account changed meanwhile: {exc}. Reload and try again.")
    if isinstance(exc, errors.NotConvertible):
        return forbidden("not_convertible", "After the trial has ended, only Cocoon staff can reactivate the account.")
    if isinstance(exc, NothingToCancel | errors.NotACustomer):
        return conflict("not_a_customer", "There is no contract to cancel.", {"account": "not a customer"})
    if isinstance(exc, errors.NoPendingCancellation):
        return conflict("no_pending_cancellation", "There is no pending cancellation.", {"cancellation": "none"})
    if isinstance(exc, errors.CancellationNotWithdrawable):
        return conflict("not_withdrawable", "The cancellation has taken effect.", {"cancellation": "effective"})
    if isinstance(exc, errors.UnknownApp):
        return ApiError(404, "unknown_app", str(exc), {"app_id": "not in the app store"})
    if isinstance(exc, RotationRefused):
        return conflict("rotation_refused", "Another rotation won or the account is closed; nothing changed.")
    if isinstance(exc, errors.AdminNotDeactivatable):
        return conflict("admin_required", str(exc), {"user_id": "the admin"})
    return None


def refused(action: Callable[[], T]) -> Callable[[], T]:
    """The action, its service's refusals raised as their 4xx; anything else goes on up (fail closed)."""

    @wraps(action)
    def run() -> T:
        try:
            return action()
        except Exception as exc:
            answer = refusal_of(exc)
            if answer is None:
                raise
            raise answer from exc

    return run
