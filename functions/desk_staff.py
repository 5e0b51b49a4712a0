"""Staff administration at the desk (admin role): the staff services, as pages (issue 15 item 5)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import desk_page, form_of, see_other
from shared.api.errors import ApiError
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
STAFF_PAGE = "/desk/staff"
_ADMIN = {
    "response_content_type": "text/html",
    "staff_roles": ("admin",),
}


def _refused(exc: Exception) -> ApiError:
    from shared.services.staff.admin import StaffError

    assert isinstance(exc, StaffError)
    status = 404 if exc.code == "staff_not_found" else 409 if exc.code == "staff_exists" else 400
    return ApiError(status, exc.code, exc.message, {exc.field: exc.code})


@api_route(bp, STAFF_PAGE, "GET", access=Access.DESK, summary="Every staff member, with the admin's actions", **_ADMIN)
def staff_page() -> Response:
    from shared.rules.accounts.states import STAFF_ROLES
    from shared.services.staff.admin import list_members

    live = current_scope().session
    return desk_page(
        "staff", member=live.subject, csrf_token=live.csrf_token, staff=list_members(), roles=STAFF_ROLES, notice=""
    )


@api_route(
    bp,
    STAFF_PAGE,
    "POST",
    access=Access.DESK,
    summary="Add a member; the invitation goes out by mail",
    request_model="shared.api.desk_forms:AddStaffForm",
    creates=True,
    **_ADMIN,
)
def add_member() -> Response:
    from shared.api.desk_forms import AddStaffForm
    from shared.services.staff.admin import StaffError
    from shared.services.staff.admin import add_member as add

    form = form_of(bp.current_request, AddStaffForm)
    try:
        add(form.name, str(form.email), form.role, current_scope().now)
    except StaffError as exc:
        raise _refused(exc) from exc
    return see_other(STAFF_PAGE)


@api_route(
    bp,
    "/desk/staff/{staff_id}/role",
    "POST",
    access=Access.DESK,
    summary="Change a member's role",
    request_model="shared.api.desk_forms:StaffRoleForm",
    **_ADMIN,
)
def change_role(staff_id: str) -> Response:
    from shared.api.desk_forms import StaffRoleForm
    from shared.services.staff.admin import StaffError
    from shared.services.staff.admin import change_role as change

    form = form_of(bp.current_request, StaffRoleForm)
    try:
        change(staff_id, form.role)
    except StaffError as exc:
        raise _refused(exc) from exc
    return see_other(STAFF_PAGE)


@api_route(
    bp,
    "/desk/staff/{staff_id}/deactivate",
    "POST",
    access=Access.DESK,
    summary="Deactivate a member: their sessions and tokens stop at once",
    **_ADMIN,
)
def deactivate(staff_id: str) -> Response:
    from shared.services.staff.admin import StaffError
    from shared.services.staff.admin import deactivate as stop

    try:
        stop(staff_id, current_scope().now)
    except StaffError as exc:
        raise _refused(exc) from exc
    return see_other(STAFF_PAGE)


@api_route(
    bp,
    "/desk/staff/{staff_id}/revoke",
    "POST",
    access=Access.DESK,
    summary="Revoke a member's sessions and tokens (they may sign in again)",
    **_ADMIN,
)
def revoke(staff_id: str) -> Response:
    from shared.services.staff.admin import StaffError, revoke_access

    try:
        revoke_access(staff_id, current_scope().now)
    except StaffError as exc:
        raise _refused(exc) from exc
    return see_other(STAFF_PAGE)
