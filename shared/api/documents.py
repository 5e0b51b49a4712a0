"""Issued documents (invoices, credit notes) over HTTP: JSON, EN 16931 XML or PDF/A-3 by ?format=."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from shared.api.errors import ApiError, bad_request
from shared.api.requests import query_param
from shared.api.routing import json_response

FORMATS = "json (default), xml or pdf"  # pdf: the caller sends Accept: application/pdf (a binary answer)


def document_response(request: Any, document: dict[str, Any], filename: str) -> Response:
    """The document in the format the caller asked for; an unknown format is a 400 naming `format`."""
    from shared.services.billing.invoices import invoice_pdf, invoice_xml

    wanted = query_param(request, "format", "json")
    if wanted == "json":
        return json_response(document)
    if wanted == "xml":
        body: str | bytes = invoice_xml(document)
        content_type = "application/xml; charset=utf-8"
    elif wanted == "pdf":
        _refuse_unless_pdf_accepted(request)
        body, content_type = invoice_pdf(document), "application/pdf"
    else:
        raise bad_request("format must be json, xml or pdf.", {"format": "json, xml or pdf"})
    return Response(
        body=body,
        status_code=200,
        headers={"Content-Type": content_type, "Content-Disposition": f'attachment; filename="{filename}.{wanted}"'},
    )


def _refuse_unless_pdf_accepted(request: Any) -> None:
    """A binary answer needs an Accept header that allows it (API Gateway's and Chalice's rule, `*/*` too):
    refused here with the header named, instead of the framework's 400 that names no field."""
    accept = str((request.headers or {}).get("accept", "")).lower()
    parts = {part.strip() for part in accept.replace(";", ",").split(",")}
    if not parts & {"application/pdf", "*/*"}:
        raise ApiError(
            406, "not_acceptable", "A PDF is sent only to a caller that accepts it.", {"Accept": "application/pdf"}
        )
