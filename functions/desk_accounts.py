"""The desk's account search and account page (SPEC §13, issue 15 item 4): the search and page services, as HTML."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.desk_pages import desk_page, form_of
from shared.api.errors import ApiError, bad_request, not_found
from shared.api.requests import query_param
from shared.api.routing import Access, api_route
from shared.rules.ui_text import N_

bp = Blueprint(__name__)
SEARCH_PAGE = "/desk/accounts"
_PAGE = {"response_content_type": "text/html"}
ACCOUNT_ROLES = ("agent", "billing")  # admins pass every role check


def _search_page(query: str, kind: str | None, found: list[object], error: str = "", status: int = 200) -> Response:
    live = current_scope().session
    # htmx asks for the results only; a plain form post (no JavaScript) gets the whole page.
    partial = bool(bp.current_request.headers.get("hx-request"))
    return desk_page(
        "_search_results" if partial else "search",
        status,
        member=live.subject,
        csrf_token=live.csrf_token,
        query=query,
        kind=kind,
        found=found,
        error=error,
    )


@api_route(bp, SEARCH_PAGE, "GET", access=Access.DESK, summary="Find an account: the search box", **_PAGE)
def search_page() -> Response:
    return _search_page("", None, [])


@api_route(
    bp,
    "/desk/accounts/search",
    "POST",
    access=Access.DESK,
    summary="Find accounts by company name prefix, e-mail, VAT ID, ticket or invoice number",
    request_model="shared.api.desk_forms:AccountSearchForm",
    **_PAGE,
)
def search() -> Response:
    from shared.api.desk_forms import AccountSearchForm
    from shared.services.search.accounts import UnusableTerm, search_accounts

    form = form_of(bp.current_request, AccountSearchForm)
    try:
        kind, found = search_accounts(form.query)
    except UnusableTerm as exc:
        return _search_page(form.query, None, [], error=str(exc), status=400)
    return _search_page(form.query, kind, list(found))


@api_route(
    bp,
    "/desk/accounts/{account_id}",
    "GET",
    access=Access.DESK,
    staff_roles=ACCOUNT_ROLES,
    summary="The account page: state, edition, users, seats, apps, invoices, mails, tickets, staff actions",
    **_PAGE,
)
def account_page(account_id: str) -> Response:
    from shared.services.staff.account_page import account_page as page

    live = current_scope().session
    shown = page(account_id, current_scope().now)
    if shown is None:
        raise not_found("account")
    notices = {"lifted": N_("Mail to the address goes out again."), "cancelled": N_("The cancellation is recorded."),
               "reactivated": N_("The account is a customer again.")}
    notice = notices.get(query_param(bp.current_request, "done", ""), "")
    return desk_page("account", member=live.subject, csrf_token=live.csrf_token, page=shown, notice=notice)


@api_route(
    bp,
    "/desk/accounts/{account_id}/invoices/{number}",
    "GET",
    access=Access.DESK,
    staff_roles=ACCOUNT_ROLES,
    summary="One invoice of the account as JSON, or as EN 16931 XML with ?format=xml",
    query={"format": "json (default) or xml"},
    response_content_type="application/json",
)
def invoice(account_id: str, number: str) -> Response:
    import json

    from shared.services.billing.invoices import invoice_document, invoice_xml

    document = invoice_document(account_id, number, current_scope().now)
    if document is None:
        raise not_found("invoice")
    wanted = query_param(bp.current_request, "format", "json")
    if wanted not in ("json", "xml"):
        raise bad_request("format must be json or xml.", {"format": "json or xml"})
    body = json.dumps(document, default=str) if wanted == "json" else invoice_xml(document)
    kind = "application/json" if wanted == "json" else "application/xml; charset=utf-8"
    disposition = f'attachment; filename="invoice-{number}.{wanted}"'
    return Response(body=body, status_code=200, headers={"Content-Type": kind, "Content-Disposition": disposition})


def refused(exc: Exception) -> ApiError:
    from shared.services.staff.account_actions import ActionRefused

    assert isinstance(exc, ActionRefused)
    return ApiError(exc.status, exc.code, exc.message, {exc.field: exc.code})
