"""What staff do to an account, at the desk and through the staff JSON routes alike: one implementation.

Each action calls the account's own use case (the cancellation service, the reactivation, the
suppression store) and records who did what in the account's history of staff actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


class ActionRefused(Exception):
    """The action cannot be done; `code` and `field` name why for the 4xx answer."""

    def __init__(self, status: int, code: str, field: str, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.field, self.message = status, code, field, message
        self.fields = fields or {field: message}  # every field at fault (a billing address: each missing part)


@dataclass(frozen=True)
class ActionDone:
    status: str
    message: str
    effective_on: str | None = None


def lift_suppression(address: str, staff_id: str | None, now: datetime, account_id: str | None = None) -> str:
    """Mail the address again (returns it normalised). From an account's page the lift and its note commit together."""
    from shared.rules.identity import normalize_email
    from shared.storage.staff_actions import lift_suppression_recorded, staff_action
    from shared.storage.suppressions import lift_suppression as lift

    address = normalize_email(address)
    if account_id is not None and staff_id is not None:
        # The detail names the stop's kind only: no address in the history (it is shown on the page).
        lifted = lift_suppression_recorded(address, staff_action(account_id, staff_id, "suppression_lifted", "", now))
    else:
        lifted = lift(address)
    if not lifted:
        raise ActionRefused(404, "not_suppressed", "email", "Mail to this address is not stopped.")
    return address


def record_cancellation(account_id: str, received_on: date, channel: str, staff_id: str, now: datetime) -> ActionDone:
    """A letter, fax or e-mail cancellation with its day of receipt: the cancellation service decides."""
    from shared.services.accounts import cancellation, errors
    from shared.storage.staff_actions import record, staff_action

    try:
        outcome = cancellation.cancel(account_id, received_on, channel, now)
    except errors.AccountNotFound as exc:
        raise ActionRefused(404, "not_found", "account", "No such account.") from exc
    except errors.NotACustomer as exc:
        message = f"The account is {exc.state}: nothing to cancel."
        raise ActionRefused(409, "not_a_customer", "account", message) from exc
    except errors.ReceivedInFuture as exc:
        raise ActionRefused(400, "invalid_fields", "received_on", "received_on lies in the future.") from exc
    except errors.ReceivedBeforeAccount as exc:
        raise ActionRefused(400, "invalid_fields", "received_on", "received_on lies before the account.") from exc
    record_ = outcome.cancellation
    effective = str(record_.effective_on) if record_ is not None else None
    if outcome.status == "recorded":
        detail = f"{channel} received {received_on.isoformat()}, effective {effective}"
        record(staff_action(account_id, staff_id, "cancellation_recorded", detail, now))
        return ActionDone("recorded", f"The contract ends on {effective}.", effective)
    if outcome.status == "not_needed":
        return ActionDone("not_needed", "The account is in its trial: no cancellation is needed.")
    return ActionDone(outcome.status, f"A cancellation is already pending (effective {effective}).", effective)


def reactivate(account_id: str, edition: str, staff_id: str, now: datetime) -> Any:
    """A deactivated account back as a customer, paid from today (billing role): the edition service's
    reactivation (the same as the JSON route's), then the staff action noted."""
    from shared.policy import get_policy
    from shared.services.accounts.edition import reactivate as reactivate_account
    from shared.services.accounts.errors import AccountNotFound, NotDeactivated, StaleState
    from shared.services.billing.address import BillingAddressIncomplete
    from shared.storage.staff_actions import record, staff_action

    try:
        outcome = reactivate_account(account_id, edition, now, get_policy())
    except AccountNotFound as exc:
        raise ActionRefused(404, "not_found", "account", "No such account.") from exc
    except NotDeactivated as exc:
        raise ActionRefused(409, "not_deactivated", "account", f"The account is {exc}, not deactivated.") from exc
    except StaleState as exc:
        raise ActionRefused(409, "state_changed", "account", str(exc)) from exc
    except BillingAddressIncomplete as exc:
        field = next(iter(exc.fields), "billing_address")
        message = f"Invoices need the complete billing address: {exc}."
        raise ActionRefused(422, "billing_address_required", field, message, exc.fields) from exc
    record(staff_action(account_id, staff_id, "reactivated", f"edition {edition}", now))
    return outcome
