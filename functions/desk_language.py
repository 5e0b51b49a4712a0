"""The staff member's desk language (issue 15 item 7): en or de, kept on the member, shown on the home page."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import form_of, see_other
from shared.api.errors import ApiError
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp,
    "/desk/language",
    "POST",
    access=Access.DESK,
    summary="Choose my desk language (the UI text; canned replies keep the account's language)",
    request_model="shared.api.desk_settings_forms:DeskLanguageForm",
    response_content_type="text/html",
)
def choose_language() -> Response:
    from shared.api.desk_settings_forms import DeskLanguageForm
    from shared.services.staff.admin import StaffError
    from shared.services.staff.desk_language import choose_desk_language

    form = form_of(bp.current_request, DeskLanguageForm)
    live = current_scope().session
    try:
        choose_desk_language(live.subject.subject_id, form.language)
    except StaffError as exc:
        status = 404 if exc.code == "staff_not_found" else 400
        raise ApiError(status, exc.code, exc.message, {exc.field: exc.code}) from exc
    # Setting the same language twice (a resubmitted form) changes nothing: no idempotency record is needed.
    return see_other("/desk/home")
