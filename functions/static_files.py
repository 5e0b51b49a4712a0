"""GET /static/<name>.<fingerprint>.<ext>: the desk's CSS and scripts, cached for a year (no CDN)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from shared.api.errors import not_found
from shared.api.routing import Access, api_route

bp = Blueprint(__name__)


@api_route(
    bp,
    "/static/{asset}",
    "GET",
    access=Access.PUBLIC,
    summary="A fingerprinted static file of the desk",
    response_content_type="text/css",
)
def static_file(asset: str) -> Response:
    from shared.api.static_assets import LONG_CACHE, asset_by_url_name

    found = asset_by_url_name(asset)
    if found is None:
        raise not_found("static file")
    return Response(
        body=found.body,
        status_code=200,
        headers={"Content-Type": found.content_type, "Cache-Control": LONG_CACHE, "X-Content-Type-Options": "nosniff"},
    )
