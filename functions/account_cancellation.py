"""Cancelling from the subscription page (issue 16 item 2): the effective date BEFORE the admin confirms.

GET shows the day the contract would end for a cancellation received today (the notice rule);
POST confirms that day (refused if today's receipt now gives another) through the cancellation
service the JSON API uses; a pending cancellation can be withdrawn.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer, viewer_page
from shared.api.account_refusals import refused
from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.idempotency import run_idempotently
from shared.api.requests import raw_body
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
_PAGE = {"response_content_type": "text/html"}
CANCELLATION = "/account/subscription/cancellation"


@api_route(
    bp, CANCELLATION, "GET", access=Access.CUSTOMER,
    summary="The day the contract would end if cancelled today, to confirm (the admin)", **_PAGE,
)
def cancellation_preview() -> Response:
    def show() -> Response:
        from shared.policy import get_policy
        from shared.services.account_pages.subscription_actions import cancellation_preview as preview

        effective_on = preview(current_viewer(), current_scope().now, get_policy())
        return viewer_page(bp.current_request, "cancel_confirm", effective_on=effective_on)

    return refused(show)()


@api_route(
    bp, CANCELLATION, "POST", access=Access.CUSTOMER, creates=True,
    summary="Cancel the contract on the day the preview showed",
    request_model="shared.api.account_forms:CancelConfirmForm", **_PAGE,
)
def cancel() -> Response:
    request = bp.current_request

    def create() -> Response:
        from shared.api.account_forms import CancelConfirmForm
        from shared.policy import get_policy
        from shared.services.account_pages.subscription_actions import cancel as cancel_contract

        form = form_of(request, CancelConfirmForm)
        cancel_contract(current_viewer(), form.effective_on, current_scope().now, get_policy())
        return see_other("/account/subscription?done=cancelled")

    return run_idempotently(request.headers, raw_body(request), refused(create), bp.lambda_context)


@api_route(
    bp, f"{CANCELLATION}/withdraw", "POST", access=Access.CUSTOMER,
    summary="Withdraw the pending cancellation; the contract goes on",
    request_model="shared.api.desk_forms:CsrfOnlyForm", **_PAGE,
)
def withdraw() -> Response:
    def act() -> Response:
        from shared.api.desk_forms import CsrfOnlyForm
        from shared.services.account_pages.subscription_actions import withdraw_cancellation

        form_of(bp.current_request, CsrfOnlyForm)
        withdraw_cancellation(current_viewer(), current_scope().now)
        return see_other("/account/subscription?done=withdrawn")

    return refused(act)()
