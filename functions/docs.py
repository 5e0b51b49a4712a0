"""The machine-readable contract: GET /openapi.json."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.routing import Access, api_route, json_response

bp = Blueprint(__name__)


@api_route(bp, "/openapi.json", "GET", access=Access.PUBLIC, summary="The OpenAPI 3 description of every route")
def openapi() -> Response:
    from shared.api.openapi import openapi_document

    return json_response(openapi_document())
