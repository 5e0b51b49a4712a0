"""The contract document matches the code, and every handler is wired in app.py."""

from __future__ import annotations

import re

import app as app_module
from functions.jobs import JOBS
from shared.api.routing import ROUTES
from tests.functional.helpers import body_of


def test_openapi_describes_exactly_the_routes_of_the_app(client):
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    document = body_of(response)
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    served = {(method, path) for path, entries in app_module.app.routes.items() for method in entries}
    assert documented == served
    assert set(ROUTES) == served


def test_every_route_with_a_body_has_request_and_response_schemas(client):
    document = body_of(client.http.get("/openapi.json"))
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            spec = ROUTES[(method.upper(), path)]
            if spec.request_model:
                for media in operation["requestBody"]["content"].values():
                    name = media["schema"]["$ref"].rsplit("/", 1)[-1]
                    assert name in schemas, (path, method)
            if spec.response_model:
                success = operation["responses"][str(spec.status)]
                name = next(iter(success["content"].values()))["schema"]["$ref"].rsplit("/", 1)[-1]
                assert name in schemas
            for param in re.findall(r"{(\w+)}", path):
                assert any(p["name"] == param for p in operation.get("parameters", []))
    assert "ErrorBody" in schemas
    assert set(schemas["SignupRequest"]["required"]) >= {"company_name", "admin_email", "accept_dpa"}


def test_every_event_handler_is_declared_in_app_py():
    """Chalice #1566: a handler defined in a blueprint loses app.py's middleware once deployed."""
    sources = app_module.app.event_sources
    assert sources, "no scheduled or event handlers declared"
    for source in sources:
        module, _, attribute = source.handler_string.partition(".")
        assert module == "app", source.handler_string
        handler = getattr(app_module, attribute)
        function = getattr(handler, "func", handler)  # Chalice wraps the function in its event handler
        assert function.__module__ == "app", f"{attribute} is defined in {function.__module__}, not app.py"


def test_every_job_runs_on_its_schedule_from_app_py():
    schedules = {
        source.name: source.schedule_expression
        for source in app_module.app.event_sources
        if hasattr(source, "schedule_expression")
    }
    for name, job in JOBS.items():
        handler = f"job_{name.replace('-', '_')}"
        assert handler in schedules, f"job {name} has no schedule in app.py"
        assert str(schedules[handler]) == job.schedule
