"""Routes served from the index (shared/api/route_index.py): a module imported late still guards its routes.

app.py registers every route from `functions/route_index.json` and imports a route's module only when the
route is first served. Each test is an attempt to use that gap: call a staff, tenant or desk route before
its module has declared its access, or serve a route through an index that no longer matches the
declarations. Each runs in a fresh interpreter, where no route module has been imported yet.
"""

from __future__ import annotations

import json

from tests.functional.helpers import FIRST_STRANGER_TICKET, fresh_interpreter

# Calls each route without any credential, noting whether its module was imported before the request.
FIRST_CALLS_WITHOUT_CREDENTIALS = """
import json, sys
from chalice.test import Client
{before}
import app
calls = [("GET", "/staff/tickets", "functions.staff_tickets"),
         ("GET", "/accounts/acc_someone/invoices", "functions.billing"),
         ("GET", "/staff/unverified-mail", "functions.mail_review"),
         ("GET", "/desk/tickets", "functions.desk_queues")]
seen = []
with Client(app.app, stage_name="test") as client:
    for method, path, module in calls:
        imported_before = module in sys.modules
        answer = client.http.request(method, path, headers={{"Accept": "application/json"}})
        seen.append({{"path": path, "status": answer.status_code, "imported_before": imported_before,
                     "location": {{k.lower(): v for k, v in answer.headers.items()}}.get("location", "")}})
print(json.dumps(seen))
"""

TAMPERED_INDEX = """
import dataclasses
import shared.api.route_index as route_index
read = route_index.read_route_index
def tampered(path):
    return [{change} if (route.method, route.path) == ("GET", "/staff/tickets") else route for route in read(path)]
route_index.read_route_index = tampered
"""


def first_calls(before: str = "") -> list[dict[str, object]]:
    return list(json.loads(fresh_interpreter(FIRST_CALLS_WITHOUT_CREDENTIALS.format(before=before))))


def test_a_route_called_before_its_module_is_imported_still_demands_its_declared_access(db: str) -> None:
    # Before the middleware loaded a route's module, its access was unknown: the request went straight on
    # to the view, without any check.
    for call in first_calls():
        assert call["imported_before"] is False, call
        if str(call["path"]).startswith("/desk/"):
            # A desk page without a session sends the browser to the desk's sign-in page, and shows nothing.
            assert (call["status"], call["location"]) == (303, "/desk"), call
        else:
            assert call["status"] == 401, call


def test_an_index_naming_another_module_for_a_route_refuses_the_request(db: str) -> None:
    # A stale or tampered index says GET /staff/tickets lives in the web-form tickets' module: the route is
    # not served from whatever that module has, and no access decision is taken from the index.
    calls = first_calls(TAMPERED_INDEX.format(change="dataclasses.replace(route, module='functions.tickets')"))
    staff_tickets = next(call for call in calls if call["path"] == "/staff/tickets")
    assert staff_tickets["status"] == 500
    # The other routes are still served, each with its own declared access.
    assert all(call["status"] in (303, 401) for call in calls if call["path"] != "/staff/tickets")


def test_an_index_with_other_content_types_than_the_declaration_refuses_the_request(db: str) -> None:
    # Content types decide which bodies Chalice hands to a view: the index may not widen them.
    calls = first_calls(TAMPERED_INDEX.format(
        change="dataclasses.replace(route, content_types=(*route.content_types, 'text/plain'))"))
    assert next(call for call in calls if call["path"] == "/staff/tickets")["status"] == 500


def test_import_app_imports_no_route_module_and_a_first_ticket_only_its_own(db: str) -> None:
    # A job's Lambda and every first request imported all ~50 route modules; now `import app` imports none,
    # and a first web-form ticket imports the tickets module alone.
    printed = fresh_interpreter(
        "import json, sys\n"
        "ours = lambda: sorted(name for name in sys.modules if name.startswith('functions.'))\n"
        "import app\n"
        "at_import = ours()\n"
        + FIRST_STRANGER_TICKET
        + "print(json.dumps({'status': answer.status_code, 'at_import': at_import, 'after': ours()}))\n"
    )
    result = json.loads(printed)
    assert result["status"] < 500
    assert result["at_import"] == ["functions.jobs"]
    assert result["after"] == ["functions.jobs", "functions.tickets"]
