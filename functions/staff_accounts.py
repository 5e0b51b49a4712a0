"""The staff JSON route of the account search (SPEC §13), for scripts: the desk's search service, as JSON."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.errors import ApiError
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)


@api_route(
    bp,
    "/staff/accounts/search",
    "POST",
    access=Access.STAFF,
    summary="Find accounts by company name prefix, e-mail, VAT ID, ticket or invoice number (any staff role)",
    request_model="shared.api.search_contracts:AccountSearchRequest",
    response_model="shared.api.search_contracts:AccountSearchAnswer",
)
def search() -> Response:
    from shared.api.search_contracts import AccountSearchRequest
    from shared.services.search.accounts import UnusableTerm, search_accounts

    request = bp.current_request
    form = validate(AccountSearchRequest, decode_body(raw_body(request), request.headers))
    try:
        kind, found = search_accounts(form.query)
    except UnusableTerm as exc:
        raise ApiError(400, "invalid_fields", str(exc), {"query": str(exc)}) from exc
    accounts = [
        {"id": hit.account_id, "company_name": hit.company_name, "state": hit.state, "country": hit.country,
         "edition": hit.edition}
        for hit in found
    ]
    return json_response({"kind": kind, "accounts": accounts})
