"""What customers do through signed links: service reports and authorizations; naming authorizers."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, conflict, not_found
from shared.api.pages import html_page, wants_html
from shared.api.requests import decode_body, query_param, raw_body, validate
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)


def _invalid_link() -> ApiError:
    return ApiError(401, "invalid_link", "This link is not valid.", {"token": "invalid"})


def _checked_report(report_id: str) -> tuple[Any, Any]:
    from shared.services.support import links

    try:
        return links.checked_report(report_id, query_param(bp.current_request, "token", ""), current_scope().now)
    except links.InvalidLink as exc:
        raise _invalid_link() from exc
    except links.NotFound as exc:
        raise not_found("service report") from exc
    except links.LinkExpired as exc:
        raise _expired_link(exc.expires_at) from exc


def _expired_link(expires_at: Any) -> ApiError:
    return ApiError(
        410,
        "link_expired",
        f"This link expired on {expires_at.date().isoformat()}; please ask us for a new one.",
        {"token": "expired"},
    )


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "id": report.report_id,
        "ticket": report.ticket_number,
        "hours": report.hours,
        "entries": report.entries,
        "state": report.state,
    }


@api_route(
    bp,
    "/service-reports/{id}",
    "GET",
    access=Access.SIGNED_LINK,
    query={"token": "from the mail"},
    summary="See the worked hours of a solved ticket",
    response_model="shared.contracts:ServiceReportView",
)
def show_report(id: str) -> Response:
    report, _ = _checked_report(id)
    return json_response(_report_json(report))


@api_route(
    bp,
    "/service-reports/{id}",
    "POST",
    access=Access.SIGNED_LINK,
    query={"token": "from the mail"},
    summary="Approve or dispute the worked hours",
    request_model="shared.contracts:ReportDecision",
    response_model="shared.contracts:ServiceReportView",
)
def decide_report(id: str) -> Response:
    from shared.contracts import ReportDecision
    from shared.policy import get_policy
    from shared.services.support.reports import decide_report as decide
    from shared.storage.db import ConditionFailed

    report, claim = _checked_report(id)
    request = bp.current_request
    form = validate(ReportDecision, decode_body(raw_body(request), request.headers))
    try:
        decide(report, form.decision == "approve", form.comment, current_scope().now, get_policy(), claim.link_id)
    except ConditionFailed as exc:
        raise conflict("already_decided", f"This report was already {report.state}.", {"token": "used"}) from exc
    report.refresh(consistent_read=True)
    if wants_html(request.headers):
        return html_page("message", heading="Thank you", css_class="", text=f"The hours are {report.state}.")
    return json_response(_report_json(report))


@api_route(
    bp,
    "/authorizations/{number}",
    "POST",
    access=Access.SIGNED_LINK,
    query={"authorizer": "from the mail", "token": "from the mail"},
    summary="A named person approves the change a ticket asks for",
)
def approve_change(number: str) -> Response:
    from shared.services.support import links
    from shared.services.support.errors import AlreadyDecided, LinkSuperseded

    request = bp.current_request
    authorizer_id, token = query_param(request, "authorizer", ""), query_param(request, "token", "")
    try:
        person = links.approve_change(number, authorizer_id, token, current_scope().now)
    except links.InvalidLink as exc:
        raise _invalid_link() from exc
    except links.NotFound as exc:
        raise not_found("ticket") from exc
    except links.NotAnAuthorizer as exc:
        raise ApiError(403, "not_an_authorizer", "This person may no longer authorize changes.") from exc
    except links.LinkExpired as exc:
        raise _expired_link(exc.expires_at) from exc
    except AlreadyDecided as exc:
        raise conflict("already_decided", "This change was already authorized.", {"token": "used"}) from exc
    except LinkSuperseded as exc:
        raise ApiError(
            410,
            "link_superseded",
            "A newer authorization request replaced this one; please use the link in the latest mail.",
            {"token": "superseded"},
        ) from exc
    return json_response({"ticket": number, "authorized": True, "authorized_by": person.name})


@api_route(
    bp,
    "/accounts/{id}/authorizers",
    "POST",
    access=Access.TENANT,
    status=201,
    summary="Name a person whose approval tickets marked 'needs authorization' wait for",
    request_model="shared.contracts:AuthorizerRequest",
)
def add_authorizer(id: str) -> Response:
    from shared.contracts import AuthorizerRequest
    from shared.services.support.links import name_authorizer

    request = bp.current_request
    form = validate(AuthorizerRequest, decode_body(raw_body(request), request.headers))
    authorizer_id, address = name_authorizer(id, form.name, str(form.email))
    return json_response({"id": authorizer_id, "name": form.name, "email": address}, status=201)
