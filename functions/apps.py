"""Add-on apps from the app store: subscribe, and cancel to the end of the current month."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, not_found
from shared.api.routing import Access, api_route, json_response
from shared.services.accounts.apps import AppSubscription
from shared.services.accounts.errors import UnknownApp

bp = Blueprint(__name__)
T = TypeVar("T")


def _in_app_store(call: Callable[[], T]) -> T:
    try:
        return call()
    except UnknownApp as exc:
        raise ApiError(404, "unknown_app", str(exc), {"app_id": "not in the app store"}) from exc


def _view(subscription: AppSubscription) -> dict[str, object]:
    from zoneinfo import ZoneInfo

    from shared.policy import get_policy

    zone = ZoneInfo(get_policy().company_time_zone)  # moments shown in the company's zone, with offset
    ends = subscription.cancelled_effective_at
    return {
        "app_id": subscription.app_id,
        "subscribed_at": subscription.subscribed_at.astimezone(zone).isoformat(),
        "cancelled_effective_at": ends.astimezone(zone).isoformat() if ends else None,
    }


@api_route(
    bp,
    "/accounts/{id}/apps/{app_id}",
    "PUT",
    access=Access.TENANT,
    summary="Subscribe an add-on app (idempotent; resumes a subscription cancelled for the month's end)",
    response_model="shared.contracts:AppSubscriptionView",
)
def subscribe_app(id: str, app_id: str) -> Response:
    from shared.services.accounts.apps import subscribe_app as subscribe

    subscription, created = _in_app_store(lambda: subscribe(id, app_id, current_scope().now))
    return json_response(_view(subscription), status=201 if created else 200)


@api_route(
    bp,
    "/accounts/{id}/apps/{app_id}",
    "DELETE",
    access=Access.TENANT,
    summary="Cancel an add-on app to the end of the current month (no notice period)",
    response_model="shared.contracts:AppSubscriptionView",
)
def cancel_app(id: str, app_id: str) -> Response:
    from shared.services.accounts.apps import cancel_app as cancel

    subscription = _in_app_store(lambda: cancel(id, app_id, current_scope().now))
    if subscription is None:
        raise not_found("app subscription")
    return json_response(_view(subscription))
