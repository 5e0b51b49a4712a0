"""The admin's billing page (issue 16 item 2): invoices with their payment state and downloads, the export.

Downloads are the JSON API's answers (the same document service and formats), looked up within
the viewer's own account: another account's invoice number is not found.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.account_pages import current_viewer, viewer_page
from shared.api.account_refusals import refused
from shared.api.context import current_scope
from shared.api.documents import FORMATS, document_response
from shared.api.errors import not_found
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp, "/account/billing", "GET", access=Access.CUSTOMER, response_content_type="text/html",
    summary="Invoices with their payment state, apps, authorizers, the export and the admin token (the admin)",
)
def billing_page() -> Response:
    def show() -> Response:
        from shared.services.account_pages import billing

        viewer, now = current_viewer(), current_scope().now
        return viewer_page(
            bp.current_request, "billing", invoices=billing.invoices(viewer, now), apps=billing.apps(viewer, now),
            authorizers=billing.authorizers(viewer),
        )

    return refused(show)()


@api_route(
    bp, "/account/invoices/{number}", "GET", access=Access.CUSTOMER,
    summary="One of the account's invoices: JSON, EN 16931 XML with ?format=xml, PDF/A-3 with ?format=pdf",
    query={"format": FORMATS},
)
def invoice_download(number: str) -> Response:
    def show() -> Response:
        from shared.services.account_pages.billing import invoice

        document = invoice(current_viewer(), number, current_scope().now)
        if document is None:
            raise not_found("invoice")
        return document_response(bp.current_request, document, f"invoice-{number}")

    return refused(show)()


@api_route(bp, "/account/export", "GET", access=Access.CUSTOMER, summary="All data of the account as JSON (the admin)")
def export_download() -> Response:
    def show() -> Response:
        from shared.api.account_export import export_download as download

        viewer = current_viewer()
        viewer.must_be_admin()
        return download(viewer.account_id, None, current_scope().now)

    return refused(show)()
