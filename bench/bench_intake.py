"""Support intake by mail: DynamoDB requests per mail, and the cost of storing a 1 MB mail.

Why: every inbound mail is a Lambda invocation that DynamoDB bills and throttles per request, and
a stranger's or a robot's mail must cost next to nothing. Targets (issue 6): at most 5 DynamoDB
requests for a mail that opens a ticket; parsing *and storing* a ~1 MB mail (ticket, message,
raw mail and attachments) at most 3x the bare stdlib parse of the same bytes, in the same run.

What is measured, all through `functions.inbound_email.take_in_mail` (what both the webhook and the
SES/SNS handler call), against DynamoDB Local in memory, blobs in a temporary directory:

* requests per mail for: a new ticket, a follow-up carrying the [Ticket#…] tag, a follow-up that
  only names our signed Message-ID in In-Reply-To, a stranger's mail (dropped), an auto-reply from
  a contact (dropped), and a redelivery of a kept mail (duplicate); each case n times with fresh
  Message-IDs, by operation and table;
* wall time of take_in_mail on a ~1 MB mail (text, HTML alternative, base64 attachments), a new
  ticket every run (fresh Message-ID), against `email.message_from_bytes(raw, policy=default)` plus
  a walk calling get_content() on every leaf part; interleaved, median of RUNS.

Requests are counted by bench/request_counting.py: `botocore.client.BaseClient.
_make_api_call` wrapped at class level sees every client (PynamoDB's and boto3's).

Run: ``.venv/bin/python bench/bench_intake.py`` from the project root (~20 s, needs Java for
DynamoDB Local: `make install`).
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import random
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.request_counting import DynamoDBCounter, Window  # noqa: E402 - needs nothing from the environment
from infra import dynamodb_local  # noqa: E402 - needs nothing from the environment

# Before any shared.* import: the storage models bind their endpoint and table at import.
_PORT, _RUN_DIR = dynamodb_local.isolated_environment("cocoon-bench-intake-")


TARGET_NEW_TICKET = 5
TARGET_RATIO = 3.0
MAILS_PER_CASE = 10
RUNS = 11
MAIL_BYTES = 1_048_576
SIGNED_UP = "2026-11-02T10:00:00+01:00"
NOW = datetime.fromisoformat("2026-11-23T11:00:00+01:00")  # a Monday, inside DACH support hours
ADMIN = "erika@beispiel.example"
CONTACT = "max@beispiel.example"
TOKEN_PATTERN = re.compile(r"token=([A-Za-z0-9_\-]+)")


# --------------------------------------------------------------------------------------
# Counting DynamoDB requests
# --------------------------------------------------------------------------------------


@dataclass
class Case:
    label: str
    expected_outcome: str
    target: int | None = None
    windows: list[Window] = field(default_factory=list)

    def report(self) -> bool:
        totals = [w.total for w in self.windows]
        summed: Counter[str] = Counter()
        for window in self.windows:
            summed.update(window.calls)
        ok = self.target is None or max(totals) <= self.target
        verdict = "" if self.target is None else (f"target <= {self.target} " + ("OK" if ok else "MISS"))
        print(f"  {self.label:<44} {statistics.mean(totals):4.2f} requests each "
              f"(min {min(totals)}, max {max(totals)}, n={len(totals)}) {verdict}".rstrip())
        for name, calls in sorted(summed.items()):
            print(f"      {calls / len(totals):4.2f}  {name}")
        return ok


# --------------------------------------------------------------------------------------
# Mails
# --------------------------------------------------------------------------------------


def small_mail(sender: str, subject: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@cocoon.example"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.beispiel.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Der Export nach Excel bricht mit Fehler 500 ab.\nSchritte: Berichte > Export.\n")
    return message.as_bytes()


MESSAGE_ID_PLACEHOLDER = "<bench-0000000000000000@mail.beispiel.example>"


def big_mail() -> bytes:
    """A realistic ~1 MB support mail: text with quoted history, HTML alternative, four base64 attachments."""
    rng = random.Random(20261123)
    reply = "Hallo Support-Team,\n\nder Export nach Excel bricht bei 50 % ab. Schritte:\n"
    reply += "".join(f"{i}. Menü Berichte öffnen, Filter {i} setzen\n" for i in range(1, 30))
    quoted = "".join(f"> Zeile {i} der letzten Antwort des Supports.\n" for i in range(200))
    text = f"{reply}\nViele Grüße\nErika\n\nAm 1. Juni 2026 schrieb Support <support@cocoon.example>:\n{quoted}"
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>"
    message = EmailMessage()
    message["From"] = f"Erika Mustermann <{ADMIN}>"
    message["To"] = "support@cocoon.example"
    message["Cc"] = "kollege@beispiel.example"
    message["Subject"] = "Export nach Excel bricht ab"
    message["Message-ID"] = MESSAGE_ID_PLACEHOLDER
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    budget = MAIL_BYTES - len(message.as_bytes())
    size = budget * 3 // 4 // 4  # base64 grows data by 4/3: four attachments fill the rest
    for maintype, subtype, name in (("image", "png", "screenshot.png"), ("application", "pdf", "Rechnung März.pdf"),
                                    ("application", "zip", "logs.zip"), ("image", "jpeg", "foto.jpg")):
        message.add_attachment(rng.randbytes(size), maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def with_fresh_message_id(raw: bytes, number: int) -> bytes:
    """The same bytes with a new Message-ID (same length), so every run is a new mail, not a duplicate."""
    fresh = f"<bench-{number:016d}@mail.beispiel.example>".encode()
    assert len(fresh) == len(MESSAGE_ID_PLACEHOLDER)
    return raw.replace(MESSAGE_ID_PLACEHOLDER.encode(), fresh, 1)


def bare_parse(raw: bytes) -> None:
    """The floor: what the standard library alone needs to parse and decode every part."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for part in message.walk():
        if not part.is_multipart():
            part.get_content()


# --------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------


def create_customer(client: Any, outbox: Path) -> None:
    """One live business account with its admin and a second contact, as a customer would make it."""
    from functions import mail_delivery

    headers = {"Content-Type": "application/json", "X-Cocoon-Now": SIGNED_UP}
    signup = {"company_name": "Beispiel GmbH", "organization_type": "company", "country": "DE",
              "vat_id": "DE136695976", "admin_name": "Erika Mustermann", "admin_email": ADMIN,
              "language": "de", "accept_dpa": True}
    response = client.http.post("/signup", headers=headers, body=json.dumps(signup))
    assert response.status_code == 202, response.body
    mail_delivery.run(datetime.fromisoformat(SIGNED_UP))
    delivered = email.message_from_bytes(next(outbox.glob("verify-*.eml")).read_bytes(), policy=email.policy.default)
    body = delivered.get_body(preferencelist=("plain",))
    assert body is not None
    match = TOKEN_PATTERN.search(str(body.get_content()))
    assert match is not None
    verified = client.http.post("/signup/verify", headers=headers, body=json.dumps({"token": match.group(1)}))
    assert verified.status_code == 201, verified.body
    account = json.loads(verified.body)
    added = client.http.post(f"/accounts/{account['account_id']}/users",
                             headers={**headers, "Authorization": f"Bearer {account['admin_token']}"},
                             body=json.dumps({"email": CONTACT, "name": "Max Muster"}))
    assert added.status_code == 201, added.body


def count_requests(counter: DynamoDBCounter, outbox: Path) -> list[Case]:
    from functions import mail_delivery
    from functions.inbound_email import take_in_mail
    from shared.policy import get_policy
    from shared.rules.sender_trust import NOT_CHECKED

    new = Case("new ticket", "ticket_created", TARGET_NEW_TICKET)
    tagged = Case("follow-up with [Ticket#…] in the subject", "message_added")
    threaded = Case("follow-up naming our Message-ID only", "message_added")
    stranger = Case("stranger's mail (dropped)", "dropped")
    auto = Case("auto-reply from a contact (dropped)", "dropped")
    again = Case("redelivery of a kept mail (duplicate)", "duplicate")

    over_limit = Case("new ticket, acknowledgement over the hourly limit (info)", "ticket_created")

    def measure(case: Case, raw: bytes, moment: datetime = NOW) -> str | None:
        with counter.window() as window:
            outcome, number = take_in_mail(raw, moment, trust=NOT_CHECKED)
        assert outcome == case.expected_outcome, (case.label, outcome)
        case.windows.append(window)
        return number

    for i in range(MAILS_PER_CASE):
        # One new ticket per hour: within the contact's hourly limit of automatic mails, as in normal use.
        moment = NOW + timedelta(hours=i)
        first = small_mail(CONTACT, f"Export bricht ab ({i})")
        number = measure(new, first, moment)
        measure(tagged, small_mail(CONTACT, f"AW: Export bricht ab ({i}) [Ticket#{number}]"), moment)
        measure(again, first, moment)
        measure(stranger, small_mail(f"stranger{i}@nowhere.example", "Bitte um Rückruf"), moment)
        measure(auto, small_mail(CONTACT, "Abwesend", Auto_Submitted="auto-replied"), moment)
    # A flood from one contact within one hour: past the limit, the acknowledgement is recorded as rate-limited
    # (one more read and one more transaction than a new ticket within the limit).
    flood = NOW + timedelta(days=1)
    for i in range(MAILS_PER_CASE):
        case = over_limit
        with counter.window() as window:
            outcome, _ = take_in_mail(small_mail(CONTACT, f"Noch ein Problem ({i})"), flood, trust=NOT_CHECKED)
        assert outcome == case.expected_outcome, outcome
        if i >= get_policy().support.auto_mail_per_recipient_per_hour:
            case.windows.append(window)
    # Threading by In-Reply-To needs our signed Message-ID: read it from a delivered acknowledgement.
    mail_delivery.run(flood)
    for path in sorted(outbox.glob("ticket-ack-*.eml"))[:MAILS_PER_CASE]:
        ours = str(email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Message-ID"])
        measure(threaded, small_mail(CONTACT, "Re: Export bricht ab", In_Reply_To=ours, References=ours), flood)
    return [new, tagged, threaded, stranger, auto, again, over_limit]


def time_big_mail(counter: DynamoDBCounter) -> tuple[int, float, float, Window, float]:
    from functions.inbound_email import take_in_mail
    from shared.rules.sender_trust import NOT_CHECKED

    raw = big_mail()
    number = 0

    def store_once() -> Window:
        nonlocal number
        number += 1
        with counter.window() as window:  # a fresh hour each run: within the hourly mail limit, as in normal use
            moment = NOW + timedelta(days=2, hours=number)
            outcome, _ = take_in_mail(with_fresh_message_id(raw, number), moment, trust=NOT_CHECKED)
        assert outcome == "ticket_created", outcome
        return window

    # Warm-up: lazy imports, regex caches, the first blob directory, DynamoDB Local's JIT.
    bare_parse(raw)
    window = store_once()
    bare_times: list[float] = []
    store_times: list[float] = []
    dynamodb_times: list[float] = []
    for _ in range(RUNS):  # interleaved, so machine noise hits both alike
        start = time.perf_counter()
        bare_parse(raw)
        bare_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        dynamodb_times.append(store_once().seconds_in_calls)
        store_times.append(time.perf_counter() - start)
    return (len(raw), statistics.median(bare_times), statistics.median(store_times), window,
            statistics.median(dynamodb_times))


def time_parts(raw: bytes) -> dict[str, float]:
    """Where the time of one big mail goes (median of RUNS): to explain a missed ratio."""
    from shared.mail.inbound.parse import parse_inbound_mail
    from shared.policy import get_policy
    from shared.storage.blobs import blob_store

    limit = get_policy().support.max_attachment_bytes
    mail = parse_inbound_mail(raw, max_attachment_bytes=limit)
    store = blob_store()

    def write_blobs() -> None:
        base = f"bench/{time.perf_counter_ns()}/"
        store.put(base + "raw.eml", raw, "message/rfc822")
        for index, attachment in enumerate(mail.attachments):
            store.put(f"{base}{index:02d}", attachment.content, attachment.content_type)

    parts = {"parse_inbound_mail": lambda: parse_inbound_mail(raw, max_attachment_bytes=limit),
             "writing raw mail + attachments to the blob store": write_blobs}
    result = {}
    for label, function in parts.items():
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            function()
            timings.append(time.perf_counter() - start)
        result[label] = statistics.median(timings)
    return result


def main() -> int:
    counter = DynamoDBCounter()
    counter.install()
    database = dynamodb_local.start(port=_PORT)
    try:
        from chalice.test import Client

        from app import app
        from shared.settings import get_settings

        dynamodb_local.create_tables(database.endpoint, recreate=True)
        settings = get_settings()
        assert settings.attachments_dir == _RUN_DIR / "attachments", settings.attachments_dir
        app_stdout = io.StringIO()
        with warnings.catch_warnings(), redirect_stdout(app_stdout):
            # With metrics disabled Powertools may still print an EMF blob at 100 metrics; not ours.
            warnings.filterwarnings("ignore", message="No application metrics to publish")
            with Client(app, stage_name="test") as client:
                create_customer(client, settings.outbox_dir)
            cases = count_requests(counter, settings.outbox_dir)
            size, bare, stored, big_window, in_dynamodb = time_big_mail(counter)
            parts = time_parts(big_mail())
    finally:
        database.stop()

    print(f"DynamoDB requests per inbound mail (take_in_mail; API calls at botocore; n={MAILS_PER_CASE} each)")
    counts_ok = all([case.report() for case in cases])
    print(f"  1 MB new ticket (info): {big_window.total} requests: {dict(sorted(big_window.calls.items()))}")
    ratio = stored / bare
    print(f"\n1 MB mail: {size:,} bytes, 4 base64 attachments, new ticket each run, median of {RUNS}")
    print(f"  stdlib message_from_bytes + walk + get_content: {bare * 1000:8.2f} ms")
    print(f"  take_in_mail (parse + rules + store):           {stored * 1000:8.2f} ms")
    for label, seconds in parts.items():
        print(f"    of which, measured alone: {label:<48} {seconds * 1000:8.2f} ms")
    label = f"{big_window.total} DynamoDB calls (to DynamoDB Local)"
    print(f"    of which, measured in the run: {label:<43} {in_dynamodb * 1000:8.2f} ms")
    rest = stored - sum(parts.values()) - in_dynamodb
    print(f"    rest (outbox mail rendering, support calendar, item building)          {rest * 1000:8.2f} ms")
    print(f"  ratio: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x) {'OK' if ratio <= TARGET_RATIO else 'MISS'}")
    new_ticket = cases[0]
    print(f"\nintake: new ticket {max(w.total for w in new_ticket.windows)} requests (target <= {TARGET_NEW_TICKET}) "
          f"{'OK' if counts_ok else 'MISS'}; 1 MB parse+store {ratio:.2f}x stdlib parse (target <= "
          f"{TARGET_RATIO:.0f}x) {'OK' if ratio <= TARGET_RATIO else 'MISS'}")
    return 0 if counts_ok and ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
