"""Cold start: how long importing Cocoon's Lambda entry takes, against `import boto3` alone.

Why: every handler string is `app.<name>`, so each cold Lambda pays for `import app` before its
first event. The yardstick is `import boto3`, the least a Python Lambda that talks to AWS imports;
the target is import app <= 1.5 x import boto3 (medians). Each figure is measured inside a fresh
interpreter (so interpreter start-up counts for neither), in the prod stage's environment from
chalice.json (no DynamoDB endpoint), with cwd = the project root, interleaved, N runs each.

Also measured, for information only (not the target): `import app` plus the modules that the
POST /signup route imports lazily on its first call, and the heaviest imports on that path.

First answers (issue 14: "cold start, measured honestly"), each target <= 1.5 x import boto3 too: a fresh
interpreter imports the app and answers ONE request through Chalice's test client against DynamoDB
Local (the test stage's environment; importing chalice.test itself is not counted, Lambda never does):
the first signup, the first web-form ticket and the first invoice GET. One setup interpreter first
makes the live customer with an invoice that the ticket and the invoice GET need. Every run signs
up another address and writes another ticket, each on another day, so no run meets a limit or a
duplicate left by the one before.

Also for information, each first answer's libraries' floor: a fresh interpreter that imports only the
third-party libraries that answer's path needs and makes one DynamoDB request through one botocore client
(over our small data folder). The first answer minus its floor is what Cocoon's own modules cost.

If the target is missed, the heaviest imports under `import app` (from `python -X importtime`)
are printed: the third-party imports that Cocoon's own modules pull in at import time are the
ones to make lazy.

Run: ``python bench/bench_cold_start.py`` from the project root (~2 min).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
REPETITIONS = 15
TARGET_RATIO = 1.5
TOP_IMPORTS = 10

# What POST /signup imports on its first call (the lazy imports in functions/signup.py).
SIGNUP_ROUTE_IMPORTS = (
    "shared.contracts",
    "shared.policy",
    "shared.rules.signup",
    "shared.storage.accounts",
)
# Cocoon's own modules: an import made *by* one of these is something we could defer.
OWN_PREFIXES = ("app", "functions", "shared")


@dataclass
class Case:
    """One statement timed in fresh interpreters; `target` says whether it counts against the ratio."""

    label: str
    statement: str
    target: bool
    seconds: list[float] = field(default_factory=list)
    env: dict[str, str] | None = None  # None: the prod stage's environment
    setup: str = ""  # run before the clock starts (the test client's own import)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


BYTECODE_DIR = Path(tempfile.mkdtemp(prefix="cocoon-bench-bytecode-"))


def with_bytecode(env: dict[str, str]) -> dict[str, str]:
    """Fresh interpreters that find compiled bytecode, as a Lambda does: the zip carries ours (infra/package.py)
    and the runtime its own. A machine with PYTHONDONTWRITEBYTECODE set would otherwise compile every module
    in every run and measure the compiler; the cache lives in a directory of the bench's own."""
    env = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(BYTECODE_DIR)
    return env


def compile_our_bytecode(env: dict[str, str]) -> None:
    """Our packages compiled as the zip's are (unchecked hash, infra/package.py), into the bench's cache."""
    run_child(
        "import compileall, py_compile\n"
        "for folder in ('functions', 'shared'):\n"
        "    assert compileall.compile_dir(folder, quiet=1,"
        " invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)\n",
        env,
    )


def prod_environment() -> dict[str, str]:
    """The prod stage's Lambda environment from chalice.json, without anything local leaking in.

    No COCOON_DYNAMODB_ENDPOINT: in prod the models bind to the real service. Local COCOON_* and
    POWERTOOLS_* variables of the caller are dropped so the bench measures what prod imports.
    """
    config = json.loads((PROJECT_ROOT / "chalice.json").read_text(encoding="utf-8"))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COCOON_", "POWERTOOLS_", "PYTHONPATH", "PYTHONSTARTUP"))
    }
    env.update(config.get("environment_variables", {}))
    env.update(config["stages"]["prod"].get("environment_variables", {}))
    # Lambda always sets the region; nothing in the import path should need more than that.
    env.setdefault("AWS_REGION", "eu-central-1")
    env.setdefault("AWS_DEFAULT_REGION", env["AWS_REGION"])
    return with_bytecode(env)


def run_child(code: str, env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    """One fresh interpreter in the project root, as Lambda's runtime imports the handler module."""
    command = [PYTHON, *flags, "-c", code]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )


def timed_code(statement: str, setup: str = "") -> str:
    """Time only the statement, inside the child: interpreter start-up is the same for every case."""
    return f"{setup}\nimport time; t = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)"


# --- first answers: a fresh interpreter, the app and one request against DynamoDB Local ----------------

FIRST_ANSWER_SETUP = "from chalice.test import Client"
# The live customer the web form and the invoice GET need: signed up, on the team edition, billed for March.
CUSTOMER_SETUP = """
import json
from datetime import datetime
from chalice.test import Client
import app
from functions import billing
from shared.settings import get_settings
from tests.functional.helpers import auth, now_header, post_json, signup_and_verify
with Client(app.app, stage_name="test") as client:
    verified = signup_and_verify(client, get_settings().outbox_dir, now="2026-01-30T09:00:00+01:00")
    converted = post_json(client, f"/accounts/{verified['account_id']}/subscription", {"edition": "team"},
                          {**auth(verified), **now_header("2026-02-10T15:00:00+01:00")})
    assert converted.status_code == 200, converted.body
    billing.run(datetime.fromisoformat("2026-04-01T02:00:00+02:00"))
print(json.dumps({"account_id": verified["account_id"], "token": verified["admin_token"]}))
"""
# str.format fills them: `{run}` numbers the run (another address, subject and day each time), and the customer.
FIRST_SIGNUP = """
import json, app
body = {{"company_name": "Kalt GmbH", "organization_type": "company", "country": "DE", "vat_id": "DE136695976",
        "admin_name": "Erika Mustermann", "admin_email": "cold-{run}@beispiel.example", "language": "de",
        "accept_dpa": True, "street": "Hauptstraße 5", "postcode": "70173", "city": "Stuttgart"}}
with Client(app.app, stage_name="test") as client:
    answer = client.http.post("/signup", body=json.dumps(body), headers={{"Content-Type": "application/json",
                              "X-Cocoon-Now": "2026-05-{day:02d}T10:00:00+02:00"}})
assert answer.status_code == 202, answer.body
"""
FIRST_WEB_FORM_TICKET = """
import json, app
body = {{"email": "erika@beispiel.example", "subject": "Export fails ({run})", "description": "Error 500 on export"}}
with Client(app.app, stage_name="test") as client:
    answer = client.http.post("/tickets", body=json.dumps(body), headers={{"Content-Type": "application/json",
                              "X-Cocoon-Now": "2026-05-{day:02d}T10:00:00+02:00"}})
assert answer.status_code == 201, answer.body
"""
FIRST_INVOICE_GET = """
import app
with Client(app.app, stage_name="test") as client:
    answer = client.http.get("/accounts/{account_id}/invoices/2026-000001",
                             headers={{"Authorization": "Bearer {token}"}})
assert answer.status_code == 200, answer.body
"""


def local_environment() -> tuple[dict[str, str], dict[str, str], object]:
    """A DynamoDB Local of our own with the tables and the customer: (environment, customer, database)."""
    from infra import dynamodb_local

    saved = dict(os.environ)
    port, _run_dir = dynamodb_local.isolated_environment("cocoon-bench-cold-start-")
    env = with_bytecode(
        {key: value for key, value in os.environ.items() if not key.startswith(("PYTHONPATH", "PYTHONSTARTUP"))}
    )
    os.environ.clear()
    os.environ.update(saved)
    database = dynamodb_local.start(port=port)
    dynamodb_local.create_tables(database.endpoint)
    customer: dict[str, str] = json.loads(run_child(CUSTOMER_SETUP, env).stdout.strip().splitlines()[-1])
    return env, customer, database


def first_answer_cases(env: dict[str, str]) -> list[Case]:
    return [
        Case("first signup: fresh interpreter -> 202", FIRST_SIGNUP, target=True, env=env, setup=FIRST_ANSWER_SETUP),
        Case("first web-form ticket: fresh interpreter -> 201", FIRST_WEB_FORM_TICKET, target=True, env=env,
             setup=FIRST_ANSWER_SETUP),
        Case("first invoice GET: fresh interpreter -> 200", FIRST_INVOICE_GET, target=True, env=env,
             setup=FIRST_ANSWER_SETUP),
    ]


# What a first answer cannot do without, whatever our code does: the libraries its path imports, one botocore
# DynamoDB client (over our small data folder) and one request to DynamoDB Local. For information: a first
# answer's ratio minus its floor's is what our own modules and their first use cost. The web-form ticket's
# floor has no `holidays`: its due time's dates come from the table computed ahead (shared/holiday_snapshot.py).
LIBRARY_FLOOR = """
import os, botocore.session
{imports}
from shared.storage.botocore_data import restrict_session
session = botocore.session.get_session()
restrict_session(session)
session.create_client("dynamodb", endpoint_url=os.environ["COCOON_DYNAMODB_ENDPOINT"]).list_tables()
"""
FLOOR_IMPORTS = {
    # No Jinja2 or Babel: a mail is rendered when the mail job sends it (shared/mail/compose.py).
    "first signup": "import pydantic.main, aws_lambda_powertools.logging, pynamodb.models, email_validator, stdnum",
    "first web-form ticket": "import pydantic.main, aws_lambda_powertools.logging, pynamodb.models, email_validator",
    "first invoice GET": "import pydantic.main, aws_lambda_powertools.logging, pynamodb.models",
}


def library_floor_cases(env: dict[str, str]) -> list[Case]:
    return [
        Case(f"info: libraries' floor of the {answer}", LIBRARY_FLOOR.replace("{imports}", imports), target=False,
             env=env, setup=FIRST_ANSWER_SETUP)
        for answer, imports in FLOOR_IMPORTS.items()
    ]


def statement_of(case: Case, run: int, customer: dict[str, str]) -> str:
    """The case's statement for its `run`-th run (the first-answer cases number their address and day)."""
    if case.env is None:
        return case.statement
    return case.statement.format(run=run, day=1 + run % 28, **customer)


def handler_attributes(env: dict[str, str]) -> list[str]:
    """The attribute of `app` behind every handler string Chalice deploys (`app.app`, `app.<job>`...)."""
    code = (
        "import json, app\n"
        "a = app.app\n"
        "names = ['app.app'] if a.routes else []\n"
        "names += [e.handler_string for e in a.event_sources]\n"
        "names += [f.handler_string for f in a.pure_lambda_functions]\n"
        "names += [getattr(h, 'handler_string', '') for h in a.websocket_handlers.values()]\n"
        "print(json.dumps(sorted({n for n in names if n})))\n"
    )
    names: list[str] = json.loads(run_child(code, env).stdout)
    return [name.split(".", 1)[1] for name in names if name.startswith("app.")]


@dataclass
class ImportTime:
    """One line of `-X importtime` with the modules it imported itself (its direct children)."""

    module: str
    self_us: int
    cumulative_us: int
    children: list[ImportTime] = field(default_factory=list)


def import_tree(code: str, env: dict[str, str]) -> list[ImportTime]:
    """Parse `-X importtime` (children are printed before their parent, one indent deeper)."""
    stderr = run_child(code, env, "-X", "importtime").stderr
    pending: dict[int, list[ImportTime]] = {}
    entries: list[ImportTime] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|", 2)
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2  # one space after "|", then 2 per level
        entry = ImportTime(name.strip(), int(self_us), int(cumulative_us), pending.pop(depth + 1, []))
        pending.setdefault(depth, []).append(entry)
        entries.append(entry)
    return entries


def _is_own(module: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in OWN_PREFIXES)


def print_heaviest_imports(code: str, env: dict[str, str], heading: str) -> None:
    """Name the costs we control: third-party/stdlib modules imported directly by Cocoon's modules.

    Also the self time summed per top-level package, to show where the time finally goes.
    """
    entries = import_tree(code, env)
    blamed = [
        (parent.module, child) for parent in entries if _is_own(parent.module)
        for child in parent.children if not _is_own(child.module)
    ]
    blamed.sort(key=lambda pair: pair[1].cumulative_us, reverse=True)
    print(f"  {heading}: heaviest imports made by Cocoon's own modules (one -X importtime run)")
    for parent, child in blamed[:TOP_IMPORTS]:
        print(f"    {child.cumulative_us / 1000:7.1f} ms  {child.module:<45} imported by {parent}")
    per_package: dict[str, int] = {}
    for entry in entries:
        package = entry.module.split(".")[0]
        per_package[package] = per_package.get(package, 0) + entry.self_us
    top = sorted(per_package.items(), key=lambda item: item[1], reverse=True)[:TOP_IMPORTS]
    print("  self time per top-level package: " + ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in top))


def main() -> None:
    """Warm once (bytecode cache, page cache), then N interleaved rounds in rotating order."""
    env = prod_environment()
    compile_our_bytecode(env)
    local_env, customer, database = local_environment()
    try:
        measure(env, local_env, customer)
    finally:
        database.stop()  # type: ignore[attr-defined]


def measure(env: dict[str, str], local_env: dict[str, str], customer: dict[str, str]) -> None:
    handlers = handler_attributes(env)
    resolve = f"import app; [getattr(app, h) for h in {handlers!r}]"
    cases = [
        Case("import boto3", "import boto3", target=False),
        Case("import app", "import app", target=True),
        Case(f"import app + getattr its {len(handlers)} handlers", resolve, target=True),
        Case("info: import app + POST /signup's lazy imports",
             "import app; import " + ", ".join(SIGNUP_ROUTE_IMPORTS), target=False),
    ]
    first_answers = first_answer_cases(local_env)
    cases += first_answers + library_floor_cases(local_env)
    runs = 0
    for case in cases:
        run_child(timed_code(statement_of(case, runs, customer), case.setup), case.env or env)
        runs += 1
    for repetition in range(REPETITIONS):
        shift = repetition % len(cases)
        for case in cases[shift:] + cases[:shift]:
            printed = run_child(timed_code(statement_of(case, runs, customer), case.setup), case.env or env).stdout
            runs += 1
            case.seconds.append(float(printed.strip().splitlines()[-1]))

    baseline = cases[0].median
    print(f"cold start, prod stage env, fresh interpreter per run, N={REPETITIONS} each, interleaved; "
          f"target import app <= {TARGET_RATIO} x import boto3 (medians)")
    print(f"  handlers: {', '.join('app.' + name for name in handlers)}")
    missed = False
    for case in cases:
        ratio = case.median / baseline
        verdict = ""
        if case.target:
            ok = ratio <= TARGET_RATIO
            missed = missed or not ok
            verdict = "OK" if ok else "MISS"
        print(
            f"  {case.label:<60} median {case.median * 1000:7.1f} ms  "
            f"(min {min(case.seconds) * 1000:6.1f}, max {max(case.seconds) * 1000:6.1f})  "
            f"{ratio:4.2f} x boto3  {verdict}".rstrip()
        )
    if any(case.median / baseline > TARGET_RATIO for case in cases[1:3]):
        print_heaviest_imports("import app", env, "MISS - import app")
    print_heaviest_imports(cases[3].statement, env, "info - first signup after a cold start")
    answers = ", ".join(f"{case.label.split(':')[0]} {case.median / baseline:.2f}x" for case in first_answers)
    floors = ", ".join(f"{case.label.split(' of the ')[1]} {case.median / baseline:.2f}x" for case in cases
                       if case.label.startswith("info: libraries' floor"))
    print(f"cold start: import app {cases[1].median / baseline:.2f} x import boto3; first answers: {answers} "
          f"(target <= {TARGET_RATIO} each) {'MISS' if missed else 'OK'}; the libraries' floor of each: {floors}")


if __name__ == "__main__":
    main()
