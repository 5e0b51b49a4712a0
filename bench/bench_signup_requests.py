"""DynamoDB requests per signup and per verification, counted at botocore, never a Scan.

Why: DynamoDB bills and throttles per request, and a signup form is public, so each POST must
cost a small, fixed number of requests: target <= 3 per POST /signup and per POST /signup/verify,
and no Scan anywhere on the path. Figures are per request, by operation and table, averaged over
20 signups and 20 verifications driven through Chalice's test client against DynamoDB Local, the
verification token read from the delivered .eml as a user would. The same is done with an
Idempotency-Key header (Powertools' idempotency layer adds its own requests) and for a replay of
the same key and body, reported separately.

How requests are counted: PynamoDB builds its own botocore session and client, and the idempotency
layer uses a boto3 client, so registering an event handler on one session would miss the other.
Both end in `botocore.client.BaseClient._make_api_call`, once per API call (retries happen below
it), so that method is wrapped at class level: it sees every client of every session, even one
created before the wrap. On the first call of each client the wrapper also registers a
`before-send.dynamodb` handler on that client's events, which fires once per HTTP attempt: if
attempts exceed calls, botocore retried.

Run: ``python bench/bench_signup_requests.py`` from the project root (~15 s, needs Java for
DynamoDB Local: `make install`).
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import sys
import warnings
from collections import Counter
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.request_counting import DynamoDBCounter, Window  # noqa: E402 - needs nothing from the environment
from infra import dynamodb_local  # noqa: E402 - needs nothing from the environment

# Before any shared.* import: the storage models bind their endpoint and table at import.
_PORT, _RUN_DIR = dynamodb_local.isolated_environment("cocoon-bench-")


SIGNUPS = 20
TARGET_PER_REQUEST = 3
NOW = "2026-01-30T09:00:00+01:00"
JSON_HEADERS = {"Content-Type": "application/json", "X-Cocoon-Now": NOW}
TOKEN_PATTERN = re.compile(r"token=([A-Za-z0-9_\-]+)")


@dataclass
class Phase:
    """All windows of one kind of request, e.g. 20 POST /signup with an Idempotency-Key."""

    label: str
    target: bool
    windows: list[Window] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return sum(window.total for window in self.windows) / len(self.windows)

    def report(self) -> bool:
        """Print mean calls per request by operation; True if within target (or not a target)."""
        count = len(self.windows)
        summed: Counter[str] = Counter()
        for window in self.windows:
            summed.update(window.calls)
        totals = [window.total for window in self.windows]
        attempts = sum(window.attempts for window in self.windows)
        worst = max(totals)
        verdict = ""
        ok = True
        if self.target:
            ok = worst <= TARGET_PER_REQUEST and not any("Scan" in name.split()[0] for name in summed)
            verdict = "OK" if ok else "MISS"
        retries = attempts - sum(totals)
        print(
            f"  {self.label:<52} {sum(totals) / count:4.2f} requests each (first {totals[0]}, max {worst}; "
            f"n={count}; retries {retries}) {verdict}".rstrip()
        )
        for name, calls in sorted(summed.items()):
            print(f"      {calls / count:4.2f}  {name}")
        return ok


def eml_token(path: Path) -> str:
    """The token from a delivered mail, decoded as a mail client would (quoted-printable body)."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        raise AssertionError(f"{path.name} has no text body")
    match = TOKEN_PATTERN.search(str(part.get_content()))
    if match is None:
        raise AssertionError(f"no verification link in {path.name}")
    return match.group(1)


def signup_body(number: int, variant: str) -> str:
    return json.dumps(
        {
            "company_name": f"Bench {variant} {number} GmbH",
            "organization_type": "company",
            "country": "DE",
            "vat_id": "DE136695976",
            "admin_name": "Erika Mustermann",
            "admin_email": f"bench-{variant}-{number}@beispiel.example",
            "language": "de",
            "accept_dpa": True,
        }
    )


def run_phases(client: Any, counter: DynamoDBCounter, outbox: Path) -> list[Phase]:
    """20 signup + verify cycles without a key, then 20 with one (and a replay of each keyed signup)."""
    from functions import mail_delivery

    signup = Phase("POST /signup", target=True)
    verify = Phase("POST /signup/verify", target=True)
    keyed_signup = Phase("POST /signup + Idempotency-Key", target=True)
    replay = Phase("POST /signup, same key and body again (replay)", target=False)
    keyed_verify = Phase("POST /signup/verify + Idempotency-Key", target=True)
    mail_job = Phase("mail job run delivering 1 mail (info)", target=False)
    seen: set[Path] = set()

    def cycle(number: int, variant: str, key: str | None) -> None:
        headers = {**JSON_HEADERS, **({"Idempotency-Key": key} if key else {})}
        body = signup_body(number, variant)
        with counter.window() as window:
            response = client.http.post("/signup", headers=headers, body=body)
        assert response.status_code == 202, response.body
        (keyed_signup if key else signup).windows.append(window)
        if key:
            with counter.window() as window:
                again = client.http.post("/signup", headers=headers, body=body)
            assert again.status_code == 202, again.body
            replay.windows.append(window)
        with counter.window() as window:
            result = mail_delivery.run(datetime.fromisoformat(NOW))
        assert result.done == 1, result
        mail_job.windows.append(window)
        new = set(outbox.glob("verify-*.eml")) - seen
        assert len(new) == 1, new
        seen.update(new)
        token = eml_token(new.pop())
        token_body = json.dumps({"token": token})
        verify_headers = {**JSON_HEADERS, **({"Idempotency-Key": f"{key}-verify"} if key else {})}
        with counter.window() as window:
            verified = client.http.post("/signup/verify", headers=verify_headers, body=token_body)
        assert verified.status_code == 201, verified.body
        (keyed_verify if key else verify).windows.append(window)

    for number in range(SIGNUPS):
        cycle(number, "plain", None)
    for number in range(SIGNUPS):
        cycle(number, "keyed", f"bench-key-{number}")
    return [signup, verify, keyed_signup, keyed_verify, replay, mail_job]


def main() -> None:
    """Start DynamoDB Local in memory, count, stop it again whatever happens."""
    counter = DynamoDBCounter()
    counter.install()
    database = dynamodb_local.start(port=_PORT)
    try:
        from chalice.test import Client

        from app import app
        from shared.settings import get_settings

        dynamodb_local.create_tables(database.endpoint, recreate=True)
        counter.everything.clear()  # table creation is set-up, not the path under test
        app_stdout = io.StringIO()
        with warnings.catch_warnings(), redirect_stdout(app_stdout):
            # With metrics disabled the middleware's flush never clears the metric set, so at 100
            # metrics Powertools prints an EMF blob anyway (and then warns of an empty flush).
            warnings.filterwarnings("ignore", message="No application metrics to publish")
            with Client(app, stage_name="test") as client:
                phases = run_phases(client, counter, get_settings().outbox_dir)
    finally:
        database.stop()

    print(f"DynamoDB requests per HTTP request (API calls at botocore; target <= {TARGET_PER_REQUEST}, "
          "no Scan)")
    results = [phase.report() for phase in phases]
    scans = {name: calls for name, calls in counter.everything.items() if "Scan" in name}
    print(f"  all DynamoDB calls of the run: {dict(sorted(counter.everything.items()))}")
    assert not scans, f"Scan on the signup path: {scans}"
    if printed := app_stdout.getvalue():
        print(f"  (the app printed {len(printed.splitlines())} line(s) to stdout during the run, "
              "e.g. a Powertools EMF auto-flush at 100 metrics; not shown)")
    signup, verify, keyed_signup, keyed_verify = (phase.mean for phase in phases[:4])
    print(
        f"signup requests: signup {signup:.2f}, verification {verify:.2f}, no Scan "
        f"(target <= {TARGET_PER_REQUEST} each) {'OK' if all(results[:2]) else 'MISS'}; "
        f"with Idempotency-Key: signup {keyed_signup:.2f}, verification {keyed_verify:.2f} "
        f"{'OK' if all(results[2:4]) else 'MISS'}"
    )


if __name__ == "__main__":
    main()
