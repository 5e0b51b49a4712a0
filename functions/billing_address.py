"""The billing address and buyer reference: set by the account's admin, or by billing staff (issue 17)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope, tenant_account
from shared.api.errors import address_refused, not_found
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)


def _put_address(account_id: str) -> Response:
    from shared.address_contracts import BillingAddressRequest
    from shared.services.billing.address import BillingAddressIncomplete, set_billing_address
    from shared.storage.accounts import get_account
    from shared.storage.billing_address import AccountGone, BillingAddress

    request = bp.current_request
    form = validate(BillingAddressRequest, decode_body(raw_body(request), request.headers))
    account = tenant_account(account_id) or get_account(account_id)
    if account is None:
        raise not_found("account")
    address = BillingAddress(form.street, form.postcode, form.city, form.country, form.buyer_reference)
    try:
        stored = set_billing_address(account, address, current_scope().now)
    except BillingAddressIncomplete as exc:
        raise address_refused(exc.fields) from exc
    except AccountGone as exc:
        raise not_found("account") from exc
    return json_response(_view(stored))


def _view(address: Any) -> dict[str, Any]:
    return {
        "street": address.street,
        "postcode": address.postcode,
        "city": address.city,
        "country": address.country,
        "buyer_reference": address.buyer_reference,
    }


@api_route(
    bp,
    "/accounts/{id}/billing-address",
    "PUT",
    access=Access.TENANT,
    summary="Set the billing address and buyer reference (a public institution's Leitweg-ID) for invoices",
    request_model="shared.address_contracts:BillingAddressRequest",
    response_model="shared.address_contracts:BillingAddressView",
)
def put_billing_address(id: str) -> Response:
    return _put_address(id)


@api_route(
    bp,
    "/staff/accounts/{id}/billing-address",
    "PUT",
    access=Access.STAFF,
    staff_roles=("billing",),
    summary="Set a customer's billing address and buyer reference (billing staff)",
    request_model="shared.address_contracts:BillingAddressRequest",
    response_model="shared.address_contracts:BillingAddressView",
)
def put_billing_address_as_staff(id: str) -> Response:
    return _put_address(id)
