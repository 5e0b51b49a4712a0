"""The agent's own notification setting at the desk (issue 15 item 3): assignee and at-risk mails on or off."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import desk_page, form_of
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
PAGE = "/desk/notifications"
_PAGE = {"response_content_type": "text/html"}


@api_route(bp, PAGE, "GET", access=Access.DESK, summary="My notification mails: on or off", **_PAGE)
def notifications_page() -> Response:
    from shared.services.support.notifications import notifications_on

    live = current_scope().session
    on = notifications_on(live.subject.subject_id)
    return desk_page("notifications", member=live.subject, csrf_token=live.csrf_token, mails_on=on)


@api_route(
    bp,
    PAGE,
    "POST",
    access=Access.DESK,
    summary="Turn my notification mails on or off",
    request_model="shared.api.desk_ticket_forms:NotificationsForm",
    **_PAGE,
)
def set_notifications() -> Response:
    from shared.api.desk_ticket_forms import NotificationsForm
    from shared.services.support.notifications import set_notifications as choose

    form = form_of(bp.current_request, NotificationsForm)
    live = current_scope().session
    choose(live.subject.subject_id, form.mails == "on")
    # The page itself, showing the new state: setting a value twice (a reload) changes nothing.
    return desk_page("notifications", member=live.subject, csrf_token=live.csrf_token, mails_on=form.mails == "on")
