"""The admin activates and deactivates users; every change is kept with its moment for billing."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import conflict, not_found
from shared.api.idempotency import run_idempotently
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response
from shared.services.accounts.users import AccountUser

bp = Blueprint(__name__)


def _user_json(user: AccountUser) -> dict[str, object]:
    return {"id": user.user_id, "email": user.email, "name": user.name, "role": user.role, "active": user.active}


@api_route(
    bp,
    "/accounts/{id}/users",
    "POST",
    access=Access.TENANT,
    creates=True,
    status=201,
    summary="Activate a user (again: the same person is the same user)",
    request_model="shared.contracts:UserRequest",
    response_model="shared.contracts:UserView",
)
def activate_user(id: str) -> Response:
    request = bp.current_request
    body = raw_body(request)

    def create() -> Response:
        from shared.contracts import UserRequest
        from shared.services.accounts.users import activate_user as activate

        form = validate(UserRequest, decode_body(body, request.headers))
        user, changed = activate(id, str(form.email), form.name, current_scope().now)
        return json_response(_user_json(user), status=201 if changed else 200)

    return run_idempotently(request.headers, body, create, bp.lambda_context)


@api_route(
    bp,
    "/accounts/{id}/users/{user_id}",
    "DELETE",
    access=Access.TENANT,
    summary="Deactivate a user (it still counts for the months it was active in)",
    response_model="shared.contracts:UserView",
)
def deactivate_user(id: str, user_id: str) -> Response:
    from shared.services.accounts.errors import AdminNotDeactivatable
    from shared.services.accounts.users import deactivate_user as deactivate

    try:
        user = deactivate(id, user_id, current_scope().now)
    except AdminNotDeactivatable as exc:
        raise conflict("admin_required", str(exc), {"user_id": "the admin"}) from exc
    if user is None:
        raise not_found("user")
    return json_response(_user_json(user))
