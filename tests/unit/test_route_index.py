"""The route index app.py serves from (functions/route_index.json) is the routes' declarations, exactly."""

from __future__ import annotations

import importlib
import json

from infra.route_index import INDEX_FILE, current_index_text, index_is_current, main, route_modules
from shared.api.route_index import read_route_index
from shared.api.routing import DECLARED_VIEWS, ROUTES


def test_the_committed_index_is_the_declarations() -> None:
    assert index_is_current(), f"{INDEX_FILE} is stale: run `make routes`"
    assert main(["--check"]) == 0


def test_the_index_names_every_declared_route_with_its_module_view_and_content_types() -> None:
    routes = read_route_index(INDEX_FILE)
    route_modules()  # imports every route module
    assert {route.key for route in routes} == set(ROUTES) == set(DECLARED_VIEWS)
    for route in routes:
        declared = DECLARED_VIEWS[route.key]
        assert (route.module, route.view) == (declared.answer.__module__, declared.answer.__name__)
        assert route.content_types == declared.content_types


def test_a_changed_declaration_makes_the_index_stale(tmp_path, monkeypatch) -> None:
    entries = json.loads(current_index_text())
    entries[0]["content_types"] = ["text/plain"]
    stale = tmp_path / "route_index.json"
    stale.write_text(json.dumps(entries), encoding="utf-8")
    assert not index_is_current(stale)
    monkeypatch.setattr("infra.route_index.INDEX_FILE", stale)
    assert main(["--check"]) == 1


def test_no_blueprint_registers_a_route_of_its_own() -> None:
    # A route registered through a blueprint would be missing from the index: Chalice would learn of it only
    # when a sibling route of its module was first served, and only in that process.
    for name in route_modules():
        blueprint = importlib.import_module(name).bp
        assert not blueprint._deferred_registrations, name
