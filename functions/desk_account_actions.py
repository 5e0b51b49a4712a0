"""The desk's actions on an account: the same staff services as the JSON routes, each recorded in its history."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from functions.desk_accounts import refused
from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.idempotency import run_idempotently
from shared.api.requests import raw_body
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
_PAGE = {"response_content_type": "text/html"}


def _staff_id() -> str:
    return str(current_scope().session.subject.subject_id)


@api_route(
    bp,
    "/desk/accounts/{account_id}/suppressions/lift",
    "POST",
    access=Access.DESK,
    staff_roles=("agent",),
    summary="Mail an address of the account again that a bounce or complaint had stopped",
    request_model="shared.api.desk_forms:LiftSuppressionForm",
    **_PAGE,
)
def lift_suppression(account_id: str) -> Response:
    from shared.api.desk_forms import LiftSuppressionForm
    from shared.services.staff.account_actions import ActionRefused
    from shared.services.staff.account_actions import lift_suppression as lift

    form = form_of(bp.current_request, LiftSuppressionForm)
    try:
        lift(str(form.email), _staff_id(), current_scope().now, account_id=account_id)
    except ActionRefused as exc:
        raise refused(exc) from exc
    return see_other(f"/desk/accounts/{account_id}?done=lifted")


@api_route(
    bp,
    "/desk/accounts/{account_id}/cancellation",
    "POST",
    access=Access.DESK,
    staff_roles=("agent", "billing"),
    creates=True,
    summary="Record a cancellation that came by letter, fax or e-mail, with its day of receipt",
    request_model="shared.api.desk_forms:RecordCancellationForm",
    **_PAGE,
)
def record_cancellation(account_id: str) -> Response:
    from shared.api.desk_forms import RecordCancellationForm
    from shared.services.staff.account_actions import ActionRefused
    from shared.services.staff.account_actions import record_cancellation as record

    request = bp.current_request

    def create() -> Response:
        form = form_of(request, RecordCancellationForm)
        try:
            record(account_id, form.received_on, form.channel, _staff_id(), current_scope().now)
        except ActionRefused as exc:
            raise refused(exc) from exc
        return see_other(f"/desk/accounts/{account_id}?done=cancelled")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)


@api_route(
    bp,
    "/desk/accounts/{account_id}/reactivate",
    "POST",
    access=Access.DESK,
    staff_roles=("billing",),
    creates=True,
    summary="Reactivate a deactivated account as a customer; paid service starts today",
    request_model="shared.api.desk_forms:ReactivateForm",
    **_PAGE,
)
def reactivate(account_id: str) -> Response:
    from shared.api.desk_forms import ReactivateForm
    from shared.services.staff.account_actions import ActionRefused
    from shared.services.staff.account_actions import reactivate as bring_back

    request = bp.current_request

    def create() -> Response:
        form = form_of(request, ReactivateForm)
        try:
            bring_back(account_id, form.edition, _staff_id(), current_scope().now)
        except ActionRefused as exc:
            raise refused(exc) from exc
        return see_other(f"/desk/accounts/{account_id}?done=reactivated")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)
