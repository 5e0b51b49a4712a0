"""Generated bodies, headers and paths against every route: never a 5xx, always our error shape."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app as app_module
from shared.api.routing import ROUTES

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "company_name",
        "organization_type",
        "country",
        "vat_id",
        "admin_name",
        "admin_email",
        "language",
        "accept_dpa",
        "website",
        "token",
        "edition",
        "email",
        "name",
        "subject",
        "description",
        "impact",
    ]
)
bodies = st.one_of(
    st.dictionaries(field_names, json_values, max_size=10).map(json.dumps),
    json_values.map(json.dumps),
    st.binary(max_size=200),
)
content_types = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-8"]
)
routes = st.sampled_from(sorted(ROUTES))
path_values = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="-_"), min_size=1, max_size=20
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=routes,
    body=bodies,
    content_type=content_types,
    path_value=path_values,
    token=st.sampled_from([None, "Bearer ck_x", "Bearer ", "Basic abc"]),
    now=st.sampled_from([None, "2026-01-01T00:00:00Z", "garbage", "2026-13-01T00:00:00+01:00"]),
)
def test_no_route_answers_5xx_to_generated_input(client, route, body, content_type, path_value, token, now):
    method, path = route
    concrete = re.sub(r"{\w+}", path_value, path)
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = token
    if now:
        headers["X-Cocoon-Now"] = now
    send = getattr(client.http, method.lower())
    response = (
        send(concrete, headers=headers, body=body) if method in {"POST", "PUT"} else send(concrete, headers=headers)
    )
    assert response.status_code < 500, (route, body, response.body)
    if response.status_code >= 400 and response.headers.get("Content-Type", "").startswith("application/json"):
        assert "error" in json.loads(response.body)


def test_the_app_has_routes_to_fuzz():
    assert len(app_module.app.routes) >= 4
