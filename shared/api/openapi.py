"""OpenAPI 3 description generated from the route declarations and the pydantic contract."""

from __future__ import annotations

import importlib
import re
from typing import Any

from shared.api.route_index import load_every_route
from shared.api.routing import ROUTES, Access, RouteSpec

_SECURITY: dict[Access, list[dict[str, list[str]]]] = {
    Access.TENANT: [{"accountToken": []}],
    Access.TENANT_OR_PUBLIC: [{"accountToken": []}, {}],
    Access.STAFF: [{"staffToken": []}],
}


def _model(reference: str) -> Any:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def _schema_ref(reference: str, components: dict[str, Any]) -> dict[str, str]:
    model = _model(reference)
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        components[name] = definition
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operation(spec: RouteSpec, components: dict[str, Any]) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    operation: dict[str, Any] = {
        "summary": spec.summary,
        "operationId": re.sub(r"[^a-zA-Z0-9]+", "_", f"{spec.method.lower()}{spec.path}").strip("_"),
        "responses": {
            "400": {"description": "invalid input", "content": error},
            "413": {"description": "body too large", "content": error},
        },
    }
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", spec.path)
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "description": text, "schema": {"type": "string"}}
        for name, text in spec.query.items()
    ]
    if spec.creates:
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}})
    if parameters:
        operation["parameters"] = parameters
    if spec.request_model:
        ref = _schema_ref(spec.request_model, components)
        content_types = spec.content_types or ("application/json", "application/x-www-form-urlencoded")
        operation["requestBody"] = {"required": True, "content": {ct: {"schema": ref} for ct in content_types}}
    elif spec.content_types:
        operation["requestBody"] = {
            "required": True,
            "content": {ct: {"schema": {"type": "string", "format": "binary"}} for ct in spec.content_types},
        }
    success: dict[str, Any] = {"description": "success"}
    if spec.response_model:
        success["content"] = {spec.response_content_type: {"schema": _schema_ref(spec.response_model, components)}}
    elif spec.response_content_type != "application/json":
        success["content"] = {spec.response_content_type: {"schema": {"type": "string"}}}
    operation["responses"][str(spec.status)] = success
    if spec.access in _SECURITY:
        operation["security"] = _SECURITY[spec.access]
        operation["responses"]["401"] = {"description": "no or invalid token", "content": error}
        operation["responses"]["403"] = {"description": "not allowed", "content": error}
        operation["responses"]["404"] = {"description": "not found (or another account's)", "content": error}
    if spec.creates:
        operation["responses"]["409"] = {"description": "conflict or request in progress", "content": error}
        operation["responses"]["422"] = {"description": "Idempotency-Key reused with another body", "content": error}
    if spec.access is Access.TENANT_OR_PUBLIC and spec.creates:  # the web form's hourly limits
        operation["responses"]["429"] = {
            "description": "too many requests for this address or from this client this hour (see Retry-After)",
            "content": error,
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds to wait"}},
        }
    return operation


def openapi_document(server_url: str | None = None) -> dict[str, Any]:
    load_every_route()
    components: dict[str, Any] = {}
    _schema_ref("shared.contracts:ErrorBody", components)
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), spec in sorted(ROUTES.items(), key=lambda item: (item[0][1], item[0][0])):
        paths.setdefault(path, {})[method.lower()] = _operation(spec, components)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Cocoon", "version": "1.0.0", "description": "Back office of a B2B subscription SaaS."},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "accountToken": {"type": "http", "scheme": "bearer", "description": "an account's admin token"},
                "staffToken": {"type": "http", "scheme": "bearer", "description": "a staff member's token"},
            },
        },
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document
