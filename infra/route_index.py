"""Writes `functions/route_index.json`, the index app.py serves routes from (shared/api/route_index.py).

`python -m infra.route_index` (or `make routes`) rewrites it from the declarations of every blueprint module
under `functions/`; `--check` only says whether it is current (the packaging refuses a stale one, and
tests/unit/test_route_index.py fails on one).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from chalice.app import Blueprint

import functions
from shared.api.route_index import INDEX_FILE_NAME, declared_routes, index_text

INDEX_FILE = Path(functions.__file__).resolve().parent / INDEX_FILE_NAME


def route_modules() -> list[str]:
    """Every module of `functions/` that has a blueprint (`bp`): the modules that declare routes."""
    names = sorted(f"{functions.__name__}.{info.name}" for info in pkgutil.iter_modules(functions.__path__))
    return [name for name in names if isinstance(getattr(importlib.import_module(name), "bp", None), Blueprint)]


def current_index_text() -> str:
    """The index as the declarations make it now."""
    return index_text(declared_routes(route_modules()))


def index_is_current(path: Path | None = None) -> bool:
    """Whether the index file (`functions/route_index.json` unless named) is what `make routes` would write."""
    path = path or INDEX_FILE
    return path.is_file() and path.read_text(encoding="utf-8") == current_index_text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only say whether the index is current")
    args = parser.parse_args(argv)
    if args.check:
        if index_is_current():
            return 0
        print(f"{INDEX_FILE} differs from the routes' declarations: run `make routes`", file=sys.stderr)
        return 1
    INDEX_FILE.write_text(current_index_text(), encoding="utf-8")
    print(f"wrote {INDEX_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
