"""Serving routes from an index: a cold start imports only the module of the route it serves.

Why: importing every one of the ~50 blueprint modules at `import app` cost each first answer some 60 of
our modules it never runs (~15-25 ms, bench/bench_cold_start.py), and every job's Lambda paid it too.

How: `functions/route_index.json` names, for each route, the module that declares it, its view's name and
its content types, which is all Chalice needs to route a request. app.py registers each route from it with
a stand-in view. The first request for a route imports its module (whose `api_route` declarations fill
`shared.api.routing`), binds the module's blueprint to the app (its views read `bp.current_request`) and
then runs the declared view.

Trust: access is never read from the index. The middleware asks `route_spec`, which imports the module
first, so the rules that apply are the declaration's own. An index that names a route its module does not
declare, or with other content types, refuses the request (500, StaleRouteIndex), and
tests/unit/test_route_index.py fails while the index differs from the declarations (`make routes` writes it).
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalice.app import Chalice

from shared.api.routing import CORS, DECLARED_VIEWS, ROUTES, DeclaredView, RouteSpec

INDEX_FILE_NAME = "route_index.json"


class StaleRouteIndex(RuntimeError):
    """The index disagrees with the declarations: the route is not served (run `make routes`)."""


@dataclass(frozen=True)
class IndexedRoute:
    method: str
    path: str
    module: str  # the module whose `api_route` declares it
    view: str  # the declared view's name: Chalice's view name
    content_types: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "module": self.module, "view": self.view,
                "content_types": list(self.content_types)}


_indexed: dict[tuple[str, str], IndexedRoute] = {}
_bound_modules: set[str] = set()
_loading = threading.Lock()  # a threaded local server may serve a module's first two requests at once
_app: list[Chalice] = []  # the app the blueprints bind to (one per process)


def declared_routes(modules: Iterable[str]) -> list[IndexedRoute]:
    """The index of the routes that `modules` declare, in path order (infra/route_index.py writes it)."""
    for module in modules:
        importlib.import_module(module)
    wanted = set(modules)
    routes = [
        IndexedRoute(method, path, declared.answer.__module__, declared.answer.__name__, declared.content_types)
        for (method, path), declared in DECLARED_VIEWS.items()
        if declared.answer.__module__ in wanted
    ]
    return sorted(routes, key=lambda route: (route.path, route.method))


def index_text(routes: Iterable[IndexedRoute]) -> str:
    return json.dumps([route.as_json() for route in routes], indent=1, ensure_ascii=False) + "\n"


def read_route_index(path: Path) -> list[IndexedRoute]:
    """The routes of the index file at `path`."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return [
        IndexedRoute(entry["method"], entry["path"], entry["module"], entry["view"], tuple(entry["content_types"]))
        for entry in entries
    ]


def register_indexed_routes(app: Chalice, routes: Iterable[IndexedRoute]) -> None:
    """Register every route with Chalice, each served by its module once the first request imports it."""
    if _app and _app[0] is not app:
        raise RuntimeError("the route index serves one app per process")
    _app[:] = [app]
    for route in routes:
        _indexed[route.key] = route
        app.route(route.path, methods=[route.method], cors=CORS, content_types=list(route.content_types),
                  name=route.view)(_stand_in_view(route))


def route_spec(method: str, path: str) -> RouteSpec | None:
    """The declared contract of a route (its module imported first); None for a route nobody declares."""
    route = _indexed.get((method, path))
    if route is not None:
        _load(route)
    return ROUTES.get((method, path))


def load_every_route() -> None:
    """Import every indexed route's module: /openapi.json and the route tests describe them all."""
    for route in list(_indexed.values()):
        _load(route)


def _declared_view(route: IndexedRoute) -> DeclaredView:
    declared = DECLARED_VIEWS.get(route.key)
    if declared is None or declared.answer.__module__ != route.module:
        raise StaleRouteIndex(f"{route.module} does not declare {route.method} {route.path}")
    if declared.content_types != route.content_types:
        raise StaleRouteIndex(f"{route.method} {route.path}: the index's content types are not the declaration's")
    return declared


def _load(route: IndexedRoute) -> None:
    if route.module in _bound_modules:
        return
    with _loading:
        if route.module in _bound_modules:
            return
        importlib.import_module(route.module)
        blueprints = {id(declared.blueprint): declared.blueprint
                      for declared in (_declared_view(indexed) for indexed in _indexed.values()
                                       if indexed.module == route.module)}
        for blueprint in blueprints.values():
            # `api_route` registers nothing through a blueprint (the routes come from the index), so this only
            # binds it to the app: the module's views read `bp.current_request` and `bp.lambda_context`.
            _app[0].register_blueprint(blueprint)
        _bound_modules.add(route.module)


def _stand_in_view(route: IndexedRoute) -> Callable[..., Any]:
    def served(**path_params: Any) -> Any:
        _load(route)
        return _declared_view(route).answer(**path_params)

    served.__name__ = route.view
    served.__qualname__ = route.view
    return served
