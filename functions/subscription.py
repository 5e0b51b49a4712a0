"""Becoming a customer and changing edition (tenant), and reactivation (staff)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import ApiError, address_refused, conflict, forbidden, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response
from shared.observability import logger

bp = Blueprint(__name__)


def _answer(state: str, outcome: object) -> Response:
    from shared.storage.lifecycle import EditionOutcome

    assert isinstance(outcome, EditionOutcome)
    return json_response(
        {
            "state": state,
            "edition": outcome.edition,
            "effective_at": outcome.effective_at.isoformat(),
            "paid_from": outcome.paid_from.isoformat() if outcome.paid_from else None,
        }
    )


@api_route(
    bp,
    "/accounts/{id}/subscription",
    "POST",
    access=Access.TENANT,
    creates=True,
    summary="Become a customer during the trial, or change the edition",
    request_model="shared.contracts:SubscriptionRequest",
    response_model="shared.contracts:SubscriptionResult",
)
def subscribe(id: str) -> Response:
    request = bp.current_request
    body = raw_body(request)
    return run_idempotently(request.headers, body, lambda: _subscribe(id, body, request.headers), bp.lambda_context)


def _subscribe(account_id: str, body: bytes, headers: object) -> Response:
    from shared.contracts import SubscriptionRequest
    from shared.policy import get_policy
    from shared.services.accounts.edition import subscribe as change
    from shared.services.accounts.errors import AccountNotFound, NotConvertible, StaleState
    from shared.services.billing.address import BillingAddressIncomplete

    form = validate(SubscriptionRequest, decode_body(body, headers))  # type: ignore[arg-type]
    account = tenant_account(account_id)
    was_trial = account is not None and account.state == "trial"
    try:
        outcome = change(account_id, form.edition, current_scope().now, get_policy(), account)
    except AccountNotFound as exc:
        raise not_found("account") from exc
    except StaleState as exc:
        raise conflict("state_changed", f"The account changed meanwhile: {exc}. Reload and try again.") from exc
    except BillingAddressIncomplete as exc:
        raise address_refused(exc.fields) from exc
    except NotConvertible as exc:
        raise forbidden(
            "not_convertible",
            "After the trial has ended, only Cocoon staff can reactivate the account; please contact us.",
        ) from exc
    if was_trial:
        logger.info("trial converted", extra={"account_id": account_id})
    return _answer("customer", outcome)


@api_route(
    bp,
    "/staff/accounts/{id}/reactivate",
    "POST",
    access=Access.STAFF,
    staff_roles=("billing",),
    creates=True,
    summary="Reactivate a deactivated account as a customer; paid service starts today",
    request_model="shared.contracts:SubscriptionRequest",
    response_model="shared.contracts:SubscriptionResult",
)
def reactivate_account(id: str) -> Response:
    from shared.contracts import SubscriptionRequest
    from shared.services.staff.account_actions import ActionRefused, reactivate

    request = bp.current_request
    form = validate(SubscriptionRequest, decode_body(raw_body(request), request.headers))
    principal = current_scope().principal
    try:
        outcome = reactivate(id, form.edition, str(principal.staff_id if principal else ""), current_scope().now)
    except ActionRefused as exc:
        if exc.status == 404:
            raise not_found("account") from exc
        if exc.code == "state_changed":
            raise conflict("state_changed", exc.message) from exc
        raise ApiError(exc.status, exc.code, exc.message, exc.fields) from exc
    return _answer("customer", outcome)
