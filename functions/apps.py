"""Add-on apps from the app store: subscribe, and cancel to the end of the current month."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, not_found
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)


def _known_app(app_id: str) -> None:
    from shared.policy import get_policy

    catalogue = get_policy().billing.apps
    if app_id not in catalogue:
        raise ApiError(
            404,
            "unknown_app",
            f"There is no app {app_id!r}; apps: {', '.join(catalogue)}.",
            {"app_id": "not in the app store"},
        )


def _view(item: object) -> dict[str, object]:
    from zoneinfo import ZoneInfo

    from shared.policy import get_policy
    from shared.storage.models import AppSubscriptionItem

    assert isinstance(item, AppSubscriptionItem)
    zone = ZoneInfo(get_policy().company_time_zone)  # moments shown in the company's zone, with offset
    ends = item.cancelled_effective_at
    return {
        "app_id": item.app_id,
        "subscribed_at": item.subscribed_at.astimezone(zone).isoformat(),
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
    from shared.storage.apps import subscribe

    _known_app(app_id)
    item, created = subscribe(id, app_id, current_scope().now)
    return json_response(_view(item), status=201 if created else 200)


@api_route(
    bp,
    "/accounts/{id}/apps/{app_id}",
    "DELETE",
    access=Access.TENANT,
    summary="Cancel an add-on app to the end of the current month (no notice period)",
    response_model="shared.contracts:AppSubscriptionView",
)
def cancel_app(id: str, app_id: str) -> Response:
    from shared.storage.apps import cancel

    _known_app(app_id)
    item = cancel(id, app_id, current_scope().now)
    if item is None:
        raise not_found("app subscription")
    return json_response(_view(item))
