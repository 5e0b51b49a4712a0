"""Generated requests against every declared route: never a 5xx, every 4xx in our error shape (issue 12, item 11).

Tenant routes are called with the token of a live account and {id} = that account; staff routes with a
staff admin's token; so the generated input reaches the handlers, not just the authentication. Routes,
parameters and bodies come from ROUTES and the request models (tests/functional/route_requests.py): a new
route is fuzzed without touching this file. Derandomized, so a run is reproducible.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app as app_module
from functions.cli import main as cocoon
from shared.api.route_index import load_every_route
from shared.api.routing import ROUTES, Access, RouteSpec
from tests.functional.helpers import body_of, desk_member, desk_sign_in, post_json, signup_and_verify
from tests.functional.route_requests import PATH_PARAMETER, GeneratedRequest, hostile_strings, json_values, requests_for

load_every_route()  # a route's module is imported when it is first served: ROUTES below holds every one
MINIMUM_REQUESTS = 2000
WITH_TOKEN = (Access.TENANT, Access.TENANT_OR_PUBLIC, Access.STAFF, Access.DESK, Access.CUSTOMER)
TOKEN_ROUTES = sorted(key for key, spec in ROUTES.items() if spec.access in WITH_TOKEN)
OTHER_ROUTES = sorted(key for key, spec in ROUTES.items() if spec.access not in WITH_TOKEN)
EXAMPLES_PER_OTHER_ROUTE = 12
STRANGER_EXAMPLES = 50
# The routes with a token take the rest of the requests (3 % to spare), however many routes there are.
EXAMPLES_PER_TOKEN_ROUTE = max(
    30,
    -(
        -(MINIMUM_REQUESTS * 103 // 100 - EXAMPLES_PER_OTHER_ROUTE * len(OTHER_ROUTES) - STRANGER_EXAMPLES)
        // max(len(TOKEN_ROUTES), 1)
    ),
)
NOW = "2026-11-02T10:00:00+01:00"
FIRST_BILLING_NIGHT = "2027-01-01T02:00:00+01:00"  # December 2026, the first paid month after the trial


def _hints() -> dict[str, tuple[str, ...]]:
    """Values of free-text fields that the schemas cannot tell (the policy's editions, apps and languages)."""
    from shared.policy import get_policy

    policy = get_policy()
    return {
        "edition": tuple(policy.billing.editions),
        "app_id": tuple(policy.billing.apps),
        "language": tuple(policy.languages),
        "country": ("DE", "AT", "CH", "US", "FR", "JP"),
        # The desk's account search: one term of each kind it reads (a name prefix, a VAT ID, an address, numbers).
        "query": ("Beisp", "DE136695976", "fuzz1@beispiel.example", "2026110210001", "2026-000001", "Müller"),
        "iban": ("DE89370400440532013000", "DE89370400440532013001", "BR1800360305000010009795493C1"),
        "bic": ("COBADEFFXXX", "BNPAFRPPXXX"),
        "signed_on": ("2026-01-15",),
    }


HINTS = _hints()


@dataclass
class World:
    """One live customer, one staff admin and what they made: shared by every generated request of the module."""

    client: Any
    outbox_dir: Any
    customer: dict[str, Any] = field(default_factory=dict)
    staff_token: str = ""
    desk_cookie: str = ""  # an admin's desk session, and its CSRF token (sent as X-CSRF-Token)
    desk_csrf: str = ""
    account_cookie: str = ""  # the customer's admin on the account pages, and its CSRF token
    account_csrf: str = ""
    account_sign_ins: int = 0
    known: dict[str, list[str]] = field(default_factory=dict)  # path parameter name → identifiers that exist
    sent: int = 0
    fuzzed: set[tuple[str, str]] = field(default_factory=set)
    signups: int = 0
    rated_ticket: tuple[str, dict[str, str]] | None = None  # a solved ticket and its rating links' tokens
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)  # (route, status) → how often

    def tenant_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.customer['admin_token']}"}

    def staff_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.staff_token}"}

    def authorization_for(self, spec: RouteSpec) -> dict[str, str]:
        if spec.access is Access.STAFF:
            return self.staff_headers()
        if spec.access is Access.DESK:
            return {"Cookie": self.desk_cookie, "X-CSRF-Token": self.desk_csrf}
        if spec.access is Access.CUSTOMER:
            return {"Cookie": self.account_cookie, "X-CSRF-Token": self.account_csrf}
        if spec.access in (Access.TENANT, Access.TENANT_OR_PUBLIC):
            return self.tenant_headers()
        return {}

    def ensure_live_customer(self) -> None:
        """A generated request may have cancelled or re-keyed the account; start a new one if its token stopped."""
        if self.customer:
            shown = self.client.http.get(f"/accounts/{self.customer['account_id']}", headers=self.tenant_headers())
            if shown.status_code == 200:
                return
        self.signups += 1
        email = f"fuzz{self.signups}@beispiel.example"
        self.customer = signup_and_verify(self.client, self.outbox_dir, email=email, now=NOW)
        account = f"/accounts/{self.customer['account_id']}"
        headers = {**self.tenant_headers(), "X-Cocoon-Now": NOW}
        address = {"street": "Hauptstr. 1", "postcode": "10115", "city": "Berlin", "country": "DE"}
        given = self.client.http.put(
            f"{account}/billing-address", headers={**headers, "Content-Type": "application/json"}, body=json.dumps(address)
        )
        assert given.status_code == 200, given.body  # a customer is invoiced: the address comes first (issue 17)
        became = post_json(self.client, f"{account}/subscription", {"edition": "team"}, headers)
        assert became.status_code in (200, 201), became.body
        # Its first month billed (the job run at a later night): the invoice, credit-note and payment routes get
        # a number that exists, as a customer's would.
        from functions import billing

        assert billing.run(datetime.fromisoformat(FIRST_BILLING_NIGHT)).failed == 0
        invoices = self.client.http.get(f"{account}/invoices", headers=self.tenant_headers())
        assert invoices.status_code == 200, invoices.body
        # {id} is the current account: its own invoices first (another account's number can only be a 404).
        own = [invoice["number"] for invoice in body_of(invoices)["invoices"]]
        earlier = [number for number in self.known.get("invoice_number", []) if number not in own]
        self.known["invoice_number"] = own + earlier
        # A live mandate and a pending cancellation, so revoking and withdrawing have something to act on.
        mandate = {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX", "reference": f"FUZZ-{self.signups}",
                   "signed_on": "2026-01-15"}
        granted = post_json(self.client, f"{account}/sepa-mandate", mandate, headers)
        assert granted.status_code in (200, 201), granted.body
        cancelled = post_json(self.client, f"{account}/cancellation", {}, headers)
        assert cancelled.status_code in (200, 201), cancelled.body
        ticket = {"subject": "Export", "description": "fails", "impact": "severe"}
        self.learn("POST /tickets", post_json(self.client, "/tickets", ticket, headers))
        self.learn("GET /accounts/{id}", self.client.http.get(account, headers=self.tenant_headers()))
        self.known["id"] = [self.customer["account_id"]]  # {id} is the caller's own account
        self.known["account_id"] = [self.customer["account_id"]]  # the desk's account pages: any account
        self.known.setdefault("app_id", list(HINTS["app_id"]))

    def ensure_staff_admin(self) -> None:
        if self.staff_token and self.client.http.get("/staff/tickets", headers=self.staff_headers()).status_code == 200:
            return
        printed = io.StringIO()
        email = f"fuzz-admin-{self.sent}@cocoon.example"
        with contextlib.redirect_stdout(printed):
            assert cocoon(["staff", "add", "Fuzz Admin", email, "--role", "admin"]) == 0
        self.staff_token = printed.getvalue().strip().splitlines()[-1]

    def ensure_account_admin(self) -> None:
        """A generated request may have signed the customer's admin out of the account pages: sign in again."""
        from tests.functional.account_helpers import account_sign_in

        if self.account_cookie and self.client.http.get(
            "/account/tickets", headers={"Cookie": self.account_cookie}
        ).status_code == 200:
            return
        # One admin's sign-in mails count against the recipient's hourly mail limit (over it the helper would
        # find only an old, used link): after a few sign-ins, a new account signs in.
        self.account_sign_ins += 1
        if self.account_sign_ins % 3 == 0:
            self.customer = {}
            self.ensure_live_customer()
        email = f"fuzz{self.signups}@beispiel.example"
        now = datetime.now(UTC).isoformat()
        self.account_cookie, self.account_csrf = account_sign_in(self.client, self.outbox_dir, email, now)

    def rating_link(self) -> tuple[str, dict[str, str]]:
        """A ticket solved at the real moment and its mail's two rating links (verdict → token), as mailed."""
        from urllib.parse import parse_qs, urlsplit

        from shared.policy import get_policy
        from shared.services.support.rating import rating_links

        if self.rated_ticket is None:
            real_now = datetime.now(UTC).replace(microsecond=0).isoformat()
            opened = post_json(self.client, "/tickets", {"subject": "Rate me", "description": "fails", "impact": "severe"},
                               {**self.tenant_headers(), "X-Cocoon-Now": real_now})
            assert opened.status_code == 201, opened.body
            number = body_of(opened)["number"]
            solved = post_json(self.client, f"/staff/tickets/{number}/state", {"state": "solved"},
                               {**self.staff_headers(), "X-Cocoon-Now": real_now})
            assert solved.status_code == 200, solved.body
            links = rating_links(number, datetime.fromisoformat(real_now), get_policy())
            tokens = {verdict: parse_qs(urlsplit(url).query)["token"][0] for verdict, url in links.items()}
            self.rated_ticket = (number, tokens)
        return self.rated_ticket

    def ensure_desk_admin(self) -> None:
        """A generated request may have signed the admin out (or deactivated them): sign in a new one."""
        if self.desk_cookie and self.client.http.get("/desk/home", headers={"Cookie": self.desk_cookie}).status_code == 200:
            return
        email = f"fuzz-desk-{self.sent}@cocoon.example"
        desk_member(email, role="admin", name="Fuzz Desk")
        now = datetime.now(UTC).isoformat()
        self.desk_cookie, self.desk_csrf = desk_sign_in(self.client, self.outbox_dir, email, now)

    def learn(self, route: str, response: Any) -> None:
        """Keep the identifiers a successful answer names, under the path parameter they would fill.

        "number" and "*_id" keys keep their name; an "id" is named for what holds it: an entry of
        "users" gives a user_id, the answer of POST /accounts/{id}/users too.
        """
        if response.status_code >= 300 or not response.headers.get("Content-Type", "").startswith("application/json"):
            return
        literal = [part for part in route.split(" ", 1)[-1].split("/") if part and not part.startswith("{")]
        pending: list[tuple[str, Any]] = [(literal[-1] if literal else "", body_of(response))]
        while pending:
            holder, value = pending.pop()
            items = value.items() if isinstance(value, dict) else ((holder, item) for item in value)
            for key, item in items:
                if isinstance(item, dict | list):
                    pending.append((key, item))
                elif isinstance(item, str) and len(item) <= 128:
                    name = f"{holder.removesuffix('s')}_id" if key == "id" else key
                    if name == "number" or name.endswith(("_id", "_number")):
                        values = self.known.setdefault(name, [])
                        if item not in values and len(values) < 50:
                            values.append(item)

    def send(self, request: GeneratedRequest) -> Any:
        self.sent += 1
        call = getattr(self.client.http, request.method.lower())
        if request.body is None:
            return call(request.path, headers=request.headers)
        return call(request.path, headers=request.headers, body=request.body)


@pytest.fixture(scope="module")
def world(dynamodb_local: str) -> Iterator[World]:
    """Fresh tables once for the module (the per-test `db` fixture would wipe the world between routes)."""
    from chalice.test import Client

    from infra.dynamodb_local import create_tables
    from shared.settings import get_settings

    create_tables(dynamodb_local, recreate=True)
    outbox = get_settings().outbox_dir
    shutil.rmtree(outbox, ignore_errors=True)
    with Client(app_module.app, stage_name="test") as client:
        yield World(client=client, outbox_dir=outbox)


def assert_never_5xx_and_in_our_shape(request: GeneratedRequest, response: Any) -> None:
    context = (request.method, request.path[:200], request.headers, (request.body or b"")[:300], response.body[:500])
    assert response.status_code < 500, context
    if response.status_code < 400:
        return
    content_type = response.headers.get("Content-Type", "")
    if content_type.startswith("text/html"):
        assert request.may_get_a_page, context
        return
    assert content_type.startswith("application/json"), context
    error = json.loads(response.body)["error"]
    assert isinstance(error["code"], str) and error["code"], context
    assert isinstance(error["message"], str), context
    assert isinstance(error["fields"], dict), context
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in error["fields"].items()), context
    if response.status_code == 400:
        assert error["fields"], ("a 400 must name the field", *context)


def _known_for(spec: RouteSpec, known: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """What exists, for this route: a `{number}` of an invoice or credit-note route is a document's number
    (kept apart from ticket numbers, or the existing invoice is one among fifty ticket numbers)."""
    chosen = {name: tuple(values) for name, values in known.items()}
    if "/invoices/{number}" in spec.path or "/credit-notes/{number}" in spec.path:
        documents = tuple(known.get("invoice_number", ()))
        if documents:
            chosen["number"] = documents
    return chosen


def _fuzz(world: World, key: tuple[str, str], examples: int) -> None:
    spec = ROUTES[key]
    world.ensure_live_customer()
    world.ensure_staff_admin()
    if spec.access is Access.DESK:
        world.ensure_desk_admin()
    if spec.access is Access.CUSTOMER:
        world.ensure_account_admin()
    known, hints = _known_for(spec, world.known), HINTS
    if spec.path.startswith("/ticket-ratings/"):  # a signed link's valid token is the mailed link's
        number, tokens = world.rating_link()
        known, hints = {"number": (number,)}, {**HINTS, "verdict": ("good",), "token": (tokens["good"],)}
    strategy = requests_for(spec, authorization=world.authorization_for(spec), known=known, hints=hints)

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(request=strategy)
    def one_request(request: GeneratedRequest) -> None:
        response = world.send(request)
        world.answers[(spec.key, response.status_code)] += 1
        assert_never_5xx_and_in_our_shape(request, response)
        world.learn(spec.key, response)

    one_request()
    world.fuzzed.add(key)


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=" ".join)
def test_a_route_with_a_valid_token_never_answers_5xx(world, route):
    _fuzz(world, route, EXAMPLES_PER_TOKEN_ROUTE)


@pytest.mark.parametrize("route", OTHER_ROUTES, ids=" ".join)
def test_a_public_or_signed_route_never_answers_5xx(world, route):
    _fuzz(world, route, EXAMPLES_PER_OTHER_ROUTE)


@settings(max_examples=STRANGER_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(
    route=st.sampled_from(sorted(ROUTES)),
    path_value=hostile_strings.filter(lambda text: text and not set(text) & set("/?#% \r\n\x00")),
    body=st.one_of(json_values.map(json.dumps), st.binary(max_size=200)),
    token=st.sampled_from([None, "Bearer ck_x", "Bearer ", "Basic abc", "Bearer cs_" + "x" * 3000]),
    now=st.one_of(st.none(), hostile_strings),
)
def test_a_stranger_with_no_valid_token_never_gets_5xx(world, route, path_value, body, token, now):
    method, path = route
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    if now:
        headers["X-Cocoon-Now"] = now
    concrete = PATH_PARAMETER.sub(lambda _: path_value, path)
    request = GeneratedRequest(
        method, concrete, headers, body.encode() if isinstance(body, str) else body, ROUTES[route]
    )
    assert_never_5xx_and_in_our_shape(request, world.send(request))


def test_every_route_with_a_token_was_fuzzed_with_at_least_2000_requests_in_all(world):
    if world.fuzzed != set(TOKEN_ROUTES) | set(OTHER_ROUTES):
        pytest.skip("only some routes were selected in this run")
    assert world.sent >= MINIMUM_REQUESTS, world.sent
    # The generation must get past validation into the handlers, not only collect 400s and 404s.
    # A page's form post succeeds with 303 See Other (the browser then loads the next page).
    answered = {
        route for (route, status), _ in world.answers.items() if status < 300 or (status == 303 and route[:5] == "POST ")
    }
    never = sorted(" ".join(key) for key in TOKEN_ROUTES if " ".join(key) not in answered)
    assert len(never) <= len(TOKEN_ROUTES) // 3, f"never answered 2xx: {never}"


def test_the_app_has_routes_to_fuzz():
    assert len(app_module.app.routes) >= 4 and TOKEN_ROUTES
