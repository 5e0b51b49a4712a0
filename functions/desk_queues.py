"""The desk's ticket queues (issue 15 item 2): mine, unassigned, at risk, overdue, waiting, all open, as HTML.

htmx polls the rows every minute (a fragment of the same route), so the SLA countdown stays live
without an inline script; without JavaScript the page is a plain page with plain links.
"""

from __future__ import annotations

import re

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import desk_page
from shared.api.errors import bad_request
from shared.api.requests import query_param
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)
QUEUE_PAGE = "/desk/tickets"
ACCOUNT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # the shape of an account id (the filter is a key: nothing else)


@api_route(
    bp,
    QUEUE_PAGE,
    "GET",
    access=Access.DESK,
    staff_roles=("agent",),
    summary="The agents' queues by due time, with the SLA countdown in the region's support hours",
    query={
        "view": "mine|unassigned|at_risk|overdue|waiting|open (default: mine)",
        "priority": "urgent|high|normal|low",
        "region": "a support region of the policy",
        "account": "an account id: the view's tickets of that account only (the account page's tickets link)",
        "cursor": "the next page's cursor, as the previous page gave it",
    },
    response_content_type="text/html",
)
def ticket_queues() -> Response:
    from shared.policy import get_policy
    from shared.rules.support.queues import VIEW_TITLES, View
    from shared.rules.support.states import PRIORITIES
    from shared.services.support.queues import BadCursor, queue_page

    request = bp.current_request
    policy = get_policy()
    view_name = query_param(request, "view", "mine") or "mine"
    priority = query_param(request, "priority") or None
    region = query_param(request, "region") or None
    account = query_param(request, "account").strip() or None
    cursor = query_param(request, "cursor")
    if view_name not in set(View):
        raise bad_request("Unknown queue.", {"view": ", ".join(View)})
    if priority is not None and priority not in PRIORITIES:
        raise bad_request("Unknown priority.", {"priority": ", ".join(PRIORITIES)})
    if region is not None and region not in policy.support.regions:
        raise bad_request("Unknown region.", {"region": ", ".join(policy.support.regions)})
    if account is not None and not ACCOUNT_ID.fullmatch(account):
        raise bad_request("Not an account id.", {"account": "letters, digits, - and _ (at most 64)"})
    if len(cursor) > 4000:
        raise bad_request("The cursor is not one of this queue.", {"cursor": "too long"})
    live = current_scope().session
    view = View(view_name)
    try:
        page = queue_page(
            view, str(live.subject.subject_id), current_scope().now, policy,
            priority=priority, region=region, account_id=account, cursor=cursor,
        )
    except BadCursor as exc:
        raise bad_request("The cursor is not one of this queue.", {"cursor": "not handed out by this view"}) from exc
    partial = bool(request.headers.get("hx-request"))
    return desk_page(
        "_queue_rows" if partial else "queues",
        member=live.subject,
        csrf_token=live.csrf_token,
        page=page,
        views=VIEW_TITLES,
        priorities=PRIORITIES,
        regions=tuple(policy.support.regions),
        filters={"view": view.value, "priority": priority or "", "region": region or "", "account": account or ""},
        cursor=cursor,
    )
