"""A contact chooses the language of the customer pages and of their mails (issue 16 item 4)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer
from shared.api.desk_pages import form_of, see_other
from shared.api.errors import ApiError, bad_request
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp, "/account/language", "POST", access=Access.CUSTOMER, response_content_type="text/html",
    summary="Choose my language: remembered on my user record", request_model="shared.api.account_forms:LanguageForm",
)
def choose_language() -> Response:
    from shared.api.account_forms import LanguageForm
    from shared.policy import get_policy
    from shared.services.account_pages.language import ContactGone, UnknownLanguage
    from shared.services.account_pages.language import choose_language as choose

    form = form_of(bp.current_request, LanguageForm)
    try:
        choose(current_viewer(), form.language, get_policy())
    except UnknownLanguage as exc:
        raise bad_request("We do not speak this language.", {"language": "unknown"}, "unknown_language") from exc
    except ContactGone as exc:
        raise ApiError(403, "contact_inactive", "This contact is no longer active.") from exc
    return see_other("/account/tickets")
