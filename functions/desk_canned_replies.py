"""The admins' canned replies per language (issue 15 item 2): list, add, delete, as desk pages."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import desk_page, form_of, see_other
from shared.api.errors import ApiError, bad_request
from shared.api.idempotency import run_idempotently
from shared.api.requests import query_param, raw_body
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
ADMINS = ("admin",)
PAGE = "/desk/canned-replies"
_PAGE = {"response_content_type": "text/html"}


def _refused(exc: Exception) -> ApiError:
    from shared.services.support.canned import CannedRefused

    assert isinstance(exc, CannedRefused)
    return bad_request(str(exc), {exc.field: str(exc)})


@api_route(
    bp, PAGE, "GET", access=Access.DESK, staff_roles=ADMINS,
    summary="The canned replies of one language, and the form to add one",
    query={"language": "a language of the policy (default: the fallback language)"},
    **_PAGE,
)
def canned_replies() -> Response:
    from shared.policy import get_policy
    from shared.rules.support.canned import PLACEHOLDERS
    from shared.services.support.canned import CannedRefused, replies_of

    policy = get_policy()
    language = query_param(bp.current_request, "language") or policy.fallback_language
    try:
        replies = replies_of(language)
    except CannedRefused as exc:
        raise _refused(exc) from exc
    live = current_scope().session
    return desk_page(
        "canned_replies", member=live.subject, csrf_token=live.csrf_token, language=language, replies=replies,
        languages=policy.languages, placeholders=PLACEHOLDERS,
    )


@api_route(
    bp, PAGE, "POST", access=Access.DESK, staff_roles=ADMINS, creates=True,
    summary="Add a canned reply (placeholders {contact_name}, {ticket_number}, {agent_name})",
    request_model="shared.api.desk_ticket_forms:CannedReplyForm",
    **_PAGE,
)
def add_canned_reply() -> Response:
    from shared.api.desk_ticket_forms import CannedReplyForm
    from shared.services.support.canned import CannedRefused, add_reply

    request = bp.current_request

    def create() -> Response:
        form = form_of(request, CannedReplyForm)
        staff_id = str(current_scope().session.subject.subject_id)
        try:
            add_reply(form.language, form.title, form.text, staff_id, current_scope().now)
        except CannedRefused as exc:
            raise _refused(exc) from exc
        return see_other(f"{PAGE}?language={form.language}")

    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)


@api_route(
    bp, PAGE + "/{language}/{reply_id}/delete", "POST", access=Access.DESK, staff_roles=ADMINS,
    summary="Delete a canned reply",
    request_model="shared.api.desk_forms:CsrfOnlyForm",
    **_PAGE,
)
def delete_canned_reply(language: str, reply_id: str) -> Response:
    from shared.services.support.canned import CannedRefused, delete_reply

    if not reply_id.startswith("cr_") or len(reply_id) > 60:
        raise bad_request("No such canned reply.", {"reply_id": "not a canned reply's id"})
    try:
        delete_reply(language, reply_id)
    except CannedRefused as exc:
        raise _refused(exc) from exc
    return see_other(f"{PAGE}?language={language}")
