"""The desk's static files: Pico CSS and htmx from npm (infra/package.json), and our own stylesheet.

Served by the app under fingerprinted names (`/static/pico.3f2a….css`): the name changes with the
content, so a year's cache is safe. In the deployment zip they sit under shared/static/ (copied there
by infra/package.py); in a checkout, npm's files are read from infra/node_modules/ where `make`
installed them. No CDN.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1]
STATIC_ROOT = SHARED / "static"
NODE_MODULES = SHARED.parent / "infra" / "node_modules"
LONG_CACHE = "public, max-age=31536000, immutable"

# Logical name → (file under node_modules, or under shared/static for ours; content type).
ASSETS: dict[str, tuple[str, str]] = {
    "pico.css": ("@picocss/pico/css/pico.min.css", "text/css; charset=utf-8"),
    "htmx.js": ("htmx.org/dist/htmx.min.js", "text/javascript; charset=utf-8"),
    "desk.css": ("desk.css", "text/css; charset=utf-8"),
    "desk.js": ("desk.js", "text/javascript; charset=utf-8"),
}
OURS = frozenset({"desk.css", "desk.js"})


@dataclass(frozen=True)
class Asset:
    url_name: str  # "pico.<fingerprint>.css"
    content_type: str
    body: str


def _source(name: str) -> Path:
    relative, _ = ASSETS[name]
    if name in OURS:
        return STATIC_ROOT / relative
    packaged = STATIC_ROOT / "vendor" / name
    return packaged if packaged.is_file() else NODE_MODULES / relative


def vendored_sources() -> dict[str, Path]:
    """What infra/package.py copies to shared/static/vendor/<name> in the zip."""
    return {name: NODE_MODULES / relative for name, (relative, _) in ASSETS.items() if name not in OURS}


@cache
def _assets() -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for name, (_, content_type) in ASSETS.items():
        path = _source(name)
        if not path.is_file():
            continue  # a page still renders (unstyled); the packaging test refuses a zip without them
        body = path.read_text(encoding="utf-8")
        stem, _, ext = name.rpartition(".")
        fingerprint = hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
        asset = Asset(url_name=f"{stem}.{fingerprint}.{ext}", content_type=content_type, body=body)
        found[asset.url_name] = asset
        found[name] = asset
    return found


def asset_url(name: str) -> str:
    asset = _assets().get(name)
    return f"/static/{asset.url_name}" if asset else f"/static/{name}"


def asset_by_url_name(url_name: str) -> Asset | None:
    asset = _assets().get(url_name)
    # Only the fingerprinted name is served: a stale page never gets today's file under a year's cache.
    return asset if asset is not None and asset.url_name == url_name else None
