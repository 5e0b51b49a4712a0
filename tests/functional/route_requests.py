"""Hypothesis strategies for requests to a declared route, built from its RouteSpec and pydantic request model.

Everything is derived from the declarations (path template, query names and descriptions, request model's
JSON schema, accepted content types), so a route added to ROUTES is generated for without a line here.
Each value is most often one the contract allows (so requests get past validation into the handler) and
otherwise hostile: wrong types, non-ASCII digits, control characters, overlong and extreme values.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from shared.api.routing import FORM_CONTENT_TYPES, RouteSpec

PATH_PARAMETER = re.compile(r"{(\w+)}")

Hints = Mapping[str, Sequence[str]]  # a field's or parameter's name → values it accepts or that exist

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=8,
)

# The strings that broke or could break us: digits that are not ASCII, controls, extremes, markup.
hostile_strings = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "²",
            "²²²²",
            "٢٠٢٦",
            "２０２６",
            "0",
            "-1",
            "1e999",
            "NaN",
            "null",
            "0001-01-01",
            "9999-12-31",
            "0001-01-01T00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "line\r\nBcc: x@example.org",
            "\x00",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "a" * 2000,
            "7" * 5000,
            "é" * 300,
        ]
    ),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="ascii"), max_size=40),
)


def mostly(usual: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` about four times in five, else `other`: most requests should get past validation."""
    return st.integers(min_value=0, max_value=4).flatmap(lambda n: other if n == 4 else usual)


def model_of(spec: RouteSpec) -> Any | None:
    if not spec.request_model:
        return None
    module, name = spec.request_model.split(":")
    return getattr(importlib.import_module(module), name)


def _offsets() -> st.SearchStrategy[timezone]:
    return st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))


def moments() -> st.SearchStrategy[str]:
    """ISO 8601 moments: mostly around today's tests, sometimes anywhere datetime can go."""
    near = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=_offsets())
    anywhere = st.datetimes(timezones=_offsets() | st.just(UTC))
    return st.one_of(near, near, anywhere).map(lambda moment: moment.isoformat())


def _for_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values a JSON schema (as pydantic writes it) allows; formats and bounds respected where they matter."""
    if "$ref" in schema:
        return _for_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        return st.one_of([_for_schema(branch, defs) for branch in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "string":
        return _strings(schema)
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "number":
        low, high = schema.get("minimum", schema.get("exclusiveMinimum")), schema.get("maximum")
        return st.decimals(min_value=low, max_value=high, places=2, allow_nan=False, allow_infinity=False).map(
            lambda d: float(d) if d.as_tuple().exponent >= -1 else str(d)
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(_for_schema(schema.get("items", {}), defs), max_size=3)
    if kind == "object" and "properties" in schema:
        return objects(schema, defs, {})
    return json_values


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    shape = schema.get("format")
    if shape == "date":
        return st.one_of(st.dates(datetime(2025, 1, 1).date(), datetime(2028, 12, 31).date()), st.dates()).map(
            lambda d: d.isoformat()
        )
    if shape == "date-time":
        return moments()
    if shape == "email":
        return st.emails().filter(lambda address: len(address) <= 200)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    low = schema.get("minLength", 0)
    high = min(schema.get("maxLength", 60), max(low, 60))
    return st.text(min_size=low, max_size=high)


def _field(name: str, schema: dict[str, Any], defs: dict[str, Any], hints: Hints) -> st.SearchStrategy[Any]:
    allowed = _for_schema(schema, defs)
    if hints.get(name):
        allowed = st.one_of(st.sampled_from(list(hints[name])), allowed)
    return mostly(allowed, st.one_of(hostile_strings, json_values))


def objects(schema: dict[str, Any], defs: dict[str, Any], hints: Hints) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object of the schema, sometimes missing one required field or carrying unknown ones."""
    properties: dict[str, Any] = schema.get("properties", {})
    required = [name for name in properties if name in schema.get("required", ())]
    optional = {name: _field(name, spec, defs, hints) for name, spec in properties.items() if name not in required}
    complete = st.fixed_dictionaries(
        {name: _field(name, properties[name], defs, hints) for name in required}, optional=optional
    )
    dropped = (
        st.one_of(st.just(frozenset()), st.frozensets(st.sampled_from(required), max_size=1))
        if required
        else (st.just(frozenset()))
    )
    extra = st.one_of(st.just({}), st.dictionaries(st.text(max_size=10), json_values, max_size=2))
    return st.tuples(complete, dropped, extra).map(
        lambda parts: {**parts[2], **{k: v for k, v in parts[0].items() if k not in parts[1]}}
    )


def json_bodies(spec: RouteSpec, hints: Hints) -> st.SearchStrategy[Any]:
    model = model_of(spec)
    if model is None:
        return mostly(st.just({}), st.dictionaries(st.text(max_size=12), json_values, max_size=4))
    schema = model.model_json_schema()
    return objects(schema, schema.get("$defs", {}), hints)


def _query_words(description: str) -> list[str]:
    """The values a query's description names ("urgent|high|normal|low", "json (default) or xml", "YYYY")."""
    words = [word for word in re.split(r"[^\w-]+", description) if word]
    if "YYYY" in description:
        words += ["2026", "1990", "2101", "0000"]
    return words or ["x"]


@dataclass
class GeneratedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    spec: RouteSpec = field(repr=False)

    @property
    def may_get_a_page(self) -> bool:
        """A browser's request (Accept: text/html) or a route that answers pages (links opened in a browser)."""
        return "text/html" in self.headers.get("Accept", "") or self.spec.response_content_type == "text/html"


def path_values(known: Sequence[str]) -> st.SearchStrategy[str]:
    """A path parameter: mostly an identifier that exists, else one that cannot (long, non-ASCII, odd)."""
    odd = st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), blacklist_characters="/?#%"),
        min_size=1,
        max_size=30,
    )
    long = st.integers(min_value=100, max_value=3000).map(lambda n: "7" * n)
    unicode_digits = st.sampled_from(["²²²²", "٢٠٢٦١١٠٢١٠٠٠١", "２０２６", "é", "ß"])
    hostile = st.one_of(odd, long, unicode_digits)
    return mostly(st.sampled_from(list(known)), hostile) if known else hostile


def requests_for(
    spec: RouteSpec,
    *,
    authorization: dict[str, str],
    known: Hints,
    hints: Hints,
) -> st.SearchStrategy[GeneratedRequest]:
    """Requests to one route: its path with existing or hostile parameters, its query, headers and a body.

    `known` maps a path parameter's name to identifiers that exist (the caller's own account first).
    """
    names = PATH_PARAMETER.findall(spec.path)
    accepted = list(spec.content_types or FORM_CONTENT_TYPES)
    params = st.fixed_dictionaries(
        {name: path_values(list(known.get(name, ())) or [v for vs in known.values() for v in vs]) for name in names}
    )
    query = st.fixed_dictionaries(
        {},
        optional={
            name: mostly(st.sampled_from([*hints.get(name, ()), *_query_words(description)]), hostile_strings)
            for name, description in spec.query.items()
        },
    )
    headers = st.fixed_dictionaries(
        {"Content-Type": mostly(st.sampled_from(accepted), st.just("text/plain"))},
        optional={
            "X-Cocoon-Now": mostly(moments(), hostile_strings),
            "Accept": st.sampled_from(["text/html", "application/json", "*/*"]),
            "Idempotency-Key": mostly(st.uuids().map(str), hostile_strings),
        },
    )

    def with_body(header_values: dict[str, str]) -> st.SearchStrategy[tuple[dict[str, str], bytes | None]]:
        return st.tuples(st.just(header_values), _bodies(spec, header_values["Content-Type"], hints))

    def build(parts: tuple[dict[str, str], dict[str, str], tuple[dict[str, str], bytes | None]]) -> GeneratedRequest:
        path_params, query_params, (header_values, body) = parts
        path = PATH_PARAMETER.sub(lambda match: path_params[match.group(1)], spec.path)
        if query_params:
            path = f"{path}?{urlencode(query_params)}"
        return GeneratedRequest(spec.method, path, {**header_values, **authorization}, body, spec)

    return st.tuples(params, query, headers.flatmap(with_body)).map(build)


def _bodies(spec: RouteSpec, content_type: str, hints: Hints) -> st.SearchStrategy[bytes | None]:
    """A body in the encoding the request says it sends (mostly), or junk."""
    if spec.method in ("GET", "DELETE"):
        return st.just(None)
    junk = st.one_of(json_values.map(lambda value: json.dumps(value).encode()), st.binary(max_size=100))
    if content_type in ("message/rfc822", "application/octet-stream"):
        return st.one_of(mail_texts(), st.binary(max_size=300))
    if content_type == "application/x-www-form-urlencoded":
        forms = json_bodies(spec, hints).map(lambda body: urlencode({k: _form_value(v) for k, v in body.items()}))
        return mostly(forms.map(str.encode), junk)
    return mostly(json_bodies(spec, hints).map(lambda body: json.dumps(body).encode()), junk)


def _form_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else json.dumps(value)


def mail_texts() -> st.SearchStrategy[bytes]:
    """Small RFC 5322 messages with generated headers and text."""
    header_text = st.text(alphabet=st.characters(codec="utf-8", blacklist_categories=("Cs",)), max_size=40)
    return st.tuples(st.emails(), header_text, header_text).map(
        lambda parts: f"From: {parts[0]}\r\nSubject: {parts[1]}\r\n\r\n{parts[2]}\r\n".encode()
    )
