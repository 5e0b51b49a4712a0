"""SEPA B2B direct debit over HTTP: mandates (the account's admin, or billing staff on its behalf), pain.008."""

from __future__ import annotations

from datetime import date

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, conflict, not_found
from shared.api.payments import idempotent, payment_form, staff_id
from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)
BILLING = ("billing",)
MANDATE_MODEL = "shared.payment_contracts:MandateRequest"


def _grant(account_id: str, granted_by: str) -> Response:
    from shared.policy import get_policy
    from shared.rules.billing.mandates import MandateRefused
    from shared.services.billing import direct_debits
    from shared.services.billing.accounts import today_in

    def create() -> Response:
        form = payment_form(bp, "MandateRequest")
        now = current_scope().now
        try:
            view = direct_debits.grant_mandate(account_id, form.iban, form.bic, form.reference, form.signed_on,
                                               today_in(now, get_policy()), now, granted_by)
        except direct_debits.AccountNotFound as exc:
            raise not_found("account") from exc
        except MandateRefused as exc:
            raise ApiError(422, "mandate_refused", str(exc), {exc.field: str(exc)}) from exc
        except direct_debits.MandateConflict as exc:
            raise conflict("mandate_conflict", str(exc), {exc.field: str(exc)}) from exc
        return json_response(view, status=201)

    return idempotent(bp, create)


def _revoke(account_id: str) -> Response:
    from shared.services.billing import direct_debits

    try:
        direct_debits.revoke_mandate(account_id, current_scope().now)
    except direct_debits.NoMandate as exc:
        raise not_found("mandate") from exc
    return json_response({"revoked": True})


@api_route(bp, "/accounts/{id}/sepa-mandate", "POST", access=Access.TENANT, creates=True, status=201,
           summary="Grant a SEPA B2B direct debit mandate", request_model=MANDATE_MODEL)
def grant_mandate(id: str) -> Response:
    return _grant(id, "tenant")


@api_route(bp, "/accounts/{id}/sepa-mandate", "DELETE", access=Access.TENANT, summary="Revoke the mandate")
def revoke_mandate(id: str) -> Response:
    return _revoke(id)


@api_route(bp, "/staff/accounts/{id}/sepa-mandate", "POST", access=Access.STAFF, staff_roles=BILLING,
           creates=True, status=201, summary="Grant a mandate on the account's behalf", request_model=MANDATE_MODEL)
def grant_mandate_on_behalf(id: str) -> Response:
    return _grant(id, staff_id())


@api_route(bp, "/staff/accounts/{id}/sepa-mandate", "DELETE", access=Access.STAFF, staff_roles=BILLING,
           summary="Revoke the account's mandate on its behalf")
def revoke_mandate_on_behalf(id: str) -> Response:
    return _revoke(id)


@api_route(bp, "/staff/direct-debits", "POST", access=Access.STAFF, staff_roles=BILLING, creates=True, status=201,
           summary="Produce the pain.008 file of a collection day",
           request_model="shared.payment_contracts:CollectionRequest")
def create_collection() -> Response:
    from shared.services.billing import direct_debits

    def create() -> Response:
        form = payment_form(bp, "CollectionRequest")
        try:
            return json_response(direct_debits.create_collection(form.collection_on, current_scope().now), status=201)
        except direct_debits.NothingToCollect as exc:
            raise ApiError(422, "nothing_to_collect", "Nothing is to be collected on that day.",
                           {"collection_on": "nothing due"}) from exc
        except direct_debits.CollectionBusy as exc:
            raise conflict("busy", "Invoices of that day are being collected or booked: try again.") from exc

    return idempotent(bp, create)


@api_route(bp, "/staff/direct-debits/{collection_on}/{file_id}", "GET", access=Access.STAFF, staff_roles=BILLING,
           summary="Download a pain.008 file", response_content_type="application/xml")
def download_collection(collection_on: str, file_id: str) -> Response:
    from shared.services.billing import direct_debits

    try:
        day = date.fromisoformat(collection_on)
    except ValueError as exc:
        raise ApiError(
            400, "invalid_request", "collection_on is a day (YYYY-MM-DD).", {"collection_on": "a day"}
        ) from exc
    xml = direct_debits.collection_file(day, file_id[:64])
    if xml is None:
        raise not_found("file")
    return Response(body=xml, status_code=200, headers={"Content-Type": "application/xml; charset=utf-8"})
