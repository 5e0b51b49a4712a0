"""The staff desk's two reads at scale (issue 15): a queue page over 10,000 open tickets, a search over 50,000 accounts.

Why: an agent opens a queue page dozens of times an hour and a clerk searches all day, over every
account and open ticket. Each must cost a small, fixed number of DynamoDB requests however large the
data (a queue page ≤ 3 Queries of the sparse queue indexes, a search ≤ 2: one Query of the lookup
index and one BatchGetItem, never a Scan), and the server must add little to those requests' own
time: target server time ≤ 1.5 × the time spent in the DynamoDB requests of the same HTTP request.

Figures per HTTP request, driven through Chalice's test client against DynamoDB Local with a desk
session signed in through the mailed link (the session's own reads are counted too and shown apart):
- queue pages: the first page of each paged view (mine, unassigned, overdue, waiting, all open,
  all open of one region, filtered by priority, filtered by the busiest account) and the next pages
  of "all open", "mine" and "all open" filtered by priority by the page's cursor (rows show whether a
  page fills: a filtered Query reads ahead, and a page left short reads on, ≤ 3 Queries in all);
- searches: a company name prefix (case and accents folded), a VAT ID, an admin's e-mail, a ticket number.
Counted as bench/request_counting.py does (every botocore client, at `_make_api_call`); server time is
the wall time of the test client's request, so it includes Chalice's own dispatch.

Data (bulk, written with batch_write_item through bench/world.py, serialized by the models and the
search's own index entries): N accounts (an admin each, company name and VAT ID index entries) and
M open tickets spread over them, in the queue indexes as the app keeps them: 40% new, 25% assigned
(a fifth of those to the signed-in agent), 20% in progress, 15% waiting; 10% of the unanswered
overdue; regions DACH 70%, EMEA 20%, USA 10%.

Run: ``.venv/bin/python bench/bench_desk.py [ACCOUNTS] [TICKETS]`` from the project root
(defaults 50,000 and 10,000, the issue's sizes; needs Java for DynamoDB Local: `make install`).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import random
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.request_counting import DynamoDBCounter, Window  # noqa: E402 - needs nothing from the environment
from bench.world import bulk_write  # noqa: E402 - imports boto3 on first use
from infra import dynamodb_local  # noqa: E402 - needs nothing from the environment

# Before any shared.* import: the storage models bind their endpoint and table at import.
_PORT, _RUN_DIR = dynamodb_local.isolated_environment("cocoon-bench-desk-")

ACCOUNTS = 50_000
TICKETS = 10_000
TARGET_RATIO = 1.5  # server time / time in the DynamoDB requests of the same HTTP request
TARGET_QUEUE_REQUESTS = 3  # Queries of the queue indexes per page
TARGET_SEARCH_REQUESTS = 2  # lookup Query + BatchGetItem per search
NEXT_PAGES = 3  # pages of "all open" followed by their cursor
NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # a Wednesday, inside DACH support hours
NOW_HEADER = {"X-Cocoon-Now": NOW.isoformat()}
AGENT_EMAIL = "alex@cocoon.example"
SEED = 20261125
# Company names: accents and case differ, so the name search folds them; many share a first word.
NAME_WORDS = ("Müller", "Öko", "Bäckerei", "Zürich", "Schmidt", "Łódź", "Château", "Nord", "Alpen", "Daten")
REGIONS = (("DE", "DACH"),) * 7 + (("FR", "EMEA"),) * 2 + (("US", "USA"),)
STATES = ("new",) * 8 + ("assigned",) * 5 + ("in_progress",) * 4 + ("waiting_for_customer",) * 3
PRIORITIES = ("urgent", "high", "high", "normal", "normal", "normal", "low")
SIGN_IN_TOKEN = re.compile(r"/desk/sign-in/confirm\?token=([A-Za-z0-9_\-]+)")
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
NEXT_LINK = re.compile(r'href="(/desk/tickets\?[^"]*cursor=[^"]+)" rel="next"')


@dataclass
class Loaded:
    items: int = 0
    seconds: float = 0.0
    tickets_by_state: Counter[str] = field(default_factory=Counter)
    tickets_by_account: Counter[str] = field(default_factory=Counter)
    sample_ticket: str = ""


def account_id_of(number: int) -> str:
    return f"bench{number:07d}"


def company_name(number: int) -> str:
    return f"{NAME_WORDS[number % len(NAME_WORDS)]} {number} GmbH"


def vat_id(number: int) -> str:
    return f"DE{number:09d}"


def admin_email(number: int) -> str:
    return f"admin-{number}@kunde{number}.example"


def _account_items(accounts: int) -> Iterator[dict[str, Any]]:
    """Each account, its admin and its search index entries, serialized by the models and the search's own code."""
    from shared.policy import get_policy
    from shared.rules.identity import user_id_for_email
    from shared.storage.keys.accounts import contact_lookup_key
    from shared.storage.models import Account, User, account_pk
    from shared.storage.search import search_entries

    policy = get_policy()
    for number in range(accounts):
        started = NOW - timedelta(days=60 + number % 700)
        country = REGIONS[number % len(REGIONS)][0]
        account = Account(
            account_pk(account_id_of(number)), "ACCOUNT",
            account_id=account_id_of(number), state="customer", company_name=company_name(number),
            organization_type="company", country=country, vat_id=vat_id(number) if country == "DE" else None,
            admin_name="Erika Mustermann", admin_email=admin_email(number), language="de",
            dpa_version=policy.dpa_version, dpa_accepted_at=started, created_at=started, verified_at=started,
            trial_started_on=started.date().isoformat(),
            trial_ends_on=(started.date() + timedelta(days=29)).isoformat(),
            paid_from=(started.date() + timedelta(days=30)).isoformat(), edition="team",
        )
        yield account.serialize()
        for entry in search_entries(account):
            yield entry.serialize()
        user_id = user_id_for_email(admin_email(number))
        yield User(
            account_pk(account_id_of(number)), f"USER#{user_id}", account_id=account_id_of(number),
            user_id=user_id, email=admin_email(number), name="Erika Mustermann", role="admin", active=True,
            created_at=started, lookup_key=contact_lookup_key(admin_email(number)),
        ).serialize()


def _ticket_items(accounts: int, tickets: int, agent: Any, loaded: Loaded) -> Iterator[dict[str, Any]]:
    """Open tickets in the queue indexes as the app keeps them (queue_state, queue_due, open_queue)."""
    from shared.rules.clock import utc_iso
    from shared.rules.tickets import ticket_number
    from shared.storage.keys.support import account_queue_key, assignee_queue_key, open_queue_key
    from shared.storage.models import DailyCounter, Ticket, account_pk

    rng = random.Random(SEED)
    per_day: Counter[date] = Counter()
    for index in range(tickets):
        number = rng.randrange(accounts)
        region = REGIONS[number % len(REGIONS)][1]
        state = rng.choice(STATES)
        priority = rng.choice(PRIORITIES)
        received = NOW - timedelta(minutes=rng.randrange(1, 14 * 24 * 60))
        answered = state in ("in_progress", "waiting_for_customer")
        overdue = not answered and rng.random() < 0.1
        due = NOW - timedelta(hours=rng.randint(1, 48)) if overdue else NOW + timedelta(hours=rng.randint(1, 200))
        mine = state != "new" and rng.random() < 0.2
        assignee = (agent.staff_id, agent.name) if mine else (("someone-else", "Sam Other") if state != "new" else None)
        if state == "waiting_for_customer" and rng.random() < 0.3:
            assignee = None  # waiting before anyone took it: the unassigned view's second partition
        day = received.date()
        per_day[day] += 1
        ticket_no = ticket_number(day, per_day[day])
        loaded.tickets_by_state[state] += 1
        loaded.sample_ticket = loaded.sample_ticket or ticket_no
        yield Ticket(
            account_pk(account_id_of(number)), f"TICKET#{ticket_no}",
            account_id=account_id_of(number), number=ticket_no, subject=f"Export fails ({index})",
            state=state, priority=priority, region=region, channel="form", received_at=received,
            first_response_due=due, first_response_at=received + timedelta(hours=1) if answered else None,
            requester_user_id="u", requester_email=admin_email(number), requester_name="Erika Mustermann",
            impact="moderate", details={"description": "Error 500"}, missing=[], vague_subject=False,
            assignee_id=assignee[0] if assignee else None, assignee_name=assignee[1] if assignee else None,
            waiting_since=received + timedelta(hours=2) if state == "waiting_for_customer" else None,
            lookup_key=f"TICKET#{ticket_no}", message_count=2 if answered else 1,
            queue_state=state, queue_due=utc_iso(due), open_queue=open_queue_key(region),
            account_queue=account_queue_key(account_id_of(number)),
            assignee_queue=assignee_queue_key(assignee[0]) if assignee else None,
        ).serialize()
        loaded.tickets_by_account[account_id_of(number)] += 1
    for day, value in per_day.items():
        yield DailyCounter(f"COUNTER#TICKET#{day:%Y%m%d}", "COUNTER", value=value).serialize()


def load(endpoint: str, table: str, accounts: int, tickets: int, agent: Any) -> Loaded:
    loaded = Loaded()
    started = time.perf_counter()
    loaded.items = bulk_write(endpoint, table, _account_items(accounts))
    loaded.items += bulk_write(endpoint, table, _ticket_items(accounts, tickets, agent, loaded))
    loaded.seconds = time.perf_counter() - started
    return loaded


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)


def sign_in(client: Any, outbox: Path) -> dict[str, str]:
    """The agent's desk session through the mailed link, as a browser gets it: (cookie, CSRF) headers."""
    from functions import mail_delivery

    form = {"Content-Type": "application/x-www-form-urlencoded", **NOW_HEADER}
    asked = client.http.post("/desk/sign-in", body=f"email={AGENT_EMAIL}", headers=form)
    assert asked.status_code == 200, asked.body
    mail_delivery.run(NOW)
    (mail,) = outbox.glob("signin-*.eml")
    message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    match = SIGN_IN_TOKEN.search(str(part.get_content()))
    assert match, "no sign-in link in the sign-in mail"
    confirmed = client.http.post("/desk/sign-in/confirm", body=f"token={match.group(1)}", headers=form)
    assert confirmed.status_code == 303, confirmed.body
    cookie = confirmed.headers["Set-Cookie"].split(";", 1)[0]
    home = client.http.get("/desk/home", headers={"Cookie": cookie, **NOW_HEADER})
    csrf = CSRF.search(_text(home))
    assert home.status_code == 200 and csrf, home.body[:300]
    return {"Cookie": cookie, "X-CSRF-Token": csrf.group(1), **NOW_HEADER}


@dataclass
class Measured:
    label: str
    window: Window
    seconds: float
    rows: int

    def reads(self, operations: tuple[str, ...]) -> int:
        """Requests of the read under test (Queries of an index, the accounts' batch): the session reads by key."""
        return sum(self.window.operations[operation] for operation in operations)

    @property
    def ratio(self) -> float:
        return self.seconds / self.window.seconds_in_calls if self.window.seconds_in_calls else float("inf")


def measure(
    client: Any, counter: DynamoDBCounter, label: str, call: Any, rows: re.Pattern[str]
) -> tuple[Measured, str]:
    with counter.window() as window:
        started = time.perf_counter()
        response = call()
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (label, response.status_code, response.body[:300])
    page = _text(response)
    return Measured(label, window, seconds, len(rows.findall(page))), page


def _follow(
    client: Any, counter: DynamoDBCounter, desk: dict[str, str], label: str, page: str, row: re.Pattern[str]
) -> list[Measured]:
    """The next pages of a view by the cursor each page gives."""
    measured = []
    for page_number in range(2, NEXT_PAGES + 2):
        link = NEXT_LINK.search(page)
        if link is None:
            break
        following = link.group(1).replace("&amp;", "&")
        figures, page = measure(
            client, counter, f"{label} page {page_number} (cursor)",
            lambda p=following: client.http.get(p, headers=desk), row,
        )
        measured.append(figures)
    return measured


def queue_pages(client: Any, counter: DynamoDBCounter, desk: dict[str, str], busiest: str) -> list[Measured]:
    """First pages of every paged view and filter, and the next pages of "all open" and of a filtered view."""
    row = re.compile(r'<a href="/desk/tickets/[0-9]+">')
    paths = [f"/desk/tickets?view={view}" for view in ("mine", "unassigned", "overdue", "waiting", "open")]
    paths += ["/desk/tickets?view=open&region=DACH", "/desk/tickets?view=open&priority=urgent"]
    # The account filter, on the account with the most open tickets: one partition of the account index.
    paths += [f"/desk/tickets?view={view}&account={busiest}" for view in ("open", "mine", "unassigned")]
    measured = []
    pages: dict[str, str] = {}
    for path in paths:
        figures, pages[path] = measure(client, counter, path, lambda p=path: client.http.get(p, headers=desk), row)
        measured.append(figures)
    for path in ("/desk/tickets?view=open", "/desk/tickets?view=mine", "/desk/tickets?view=open&priority=urgent"):
        measured += _follow(client, counter, desk, path, pages[path], row)
    return measured


def searches(client: Any, counter: DynamoDBCounter, desk: dict[str, str], accounts: int, ticket: str) -> list[Measured]:
    from urllib.parse import urlencode

    row = re.compile(r'href="/desk/accounts/bench[0-9]+"')
    some = accounts // 2 - (accounts // 2) % len(REGIONS)  # a DE account (it has a VAT ID)
    terms = {
        "company name prefix (accents, case folded)": "MULLER 1",
        "VAT ID": f"DE {vat_id(some)[2:5]} {vat_id(some)[5:]}",
        "admin e-mail": admin_email(some).upper(),
        "ticket number": ticket,
    }
    form = {**desk, "Content-Type": "application/x-www-form-urlencoded"}
    measured = []
    for label, term in terms.items():
        body = urlencode({"query": term, "csrf_token": desk["X-CSRF-Token"]})
        figures, _ = measure(
            client, counter, label, lambda b=body: client.http.post("/desk/accounts/search", body=b, headers=form), row
        )
        assert figures.rows, (label, "found nothing")
        measured.append(figures)
    return measured


def report(title: str, measured: list[Measured], operations: tuple[str, ...], target: int) -> bool:
    print(
        f"{title} (target ≤ {target} requests of the read, no Scan; "
        f"server time ≤ {TARGET_RATIO:g} × time in requests)"
    )
    ok = True
    for figures in measured:
        reads = figures.reads(operations)
        scans = figures.window.operations["Scan"]
        good = reads <= target and scans == 0 and figures.ratio <= TARGET_RATIO
        ok = ok and good
        print(
            f"  {figures.label:<52} {figures.rows:3d} rows  requests {figures.window.total:2d} (read {reads}, "
            f"session and the rest {figures.window.total - reads}; Scan {scans})"
            f"  server {figures.seconds * 1000:7.1f} ms / in requests "
            f"{figures.window.seconds_in_calls * 1000:7.1f} ms = {figures.ratio:4.2f}x "
            f"{'OK' if good else 'MISS'}"
        )
        for name, calls in sorted(figures.window.calls.items()):
            print(f"      {calls}  {name}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("accounts", nargs="?", type=int, default=ACCOUNTS)
    parser.add_argument("tickets", nargs="?", type=int, default=TICKETS)
    args = parser.parse_args(argv)
    counter = DynamoDBCounter()
    counter.install()
    database = dynamodb_local.start(port=_PORT)
    try:
        from chalice.test import Client

        from app import app
        from shared.settings import get_settings
        from shared.storage.tokens import add_staff_member

        settings = get_settings()
        dynamodb_local.create_tables(database.endpoint, recreate=True)
        agent, _ = add_staff_member("Alex Agent", AGENT_EMAIL, "agent", NOW - timedelta(days=30))
        loaded = load(database.endpoint, settings.table_name, args.accounts, args.tickets, agent)
        with Client(app, stage_name="test") as client:
            desk = sign_in(client, settings.outbox_dir)
            for _warm in range(2):  # the first requests import the desk's modules: cold start is another bench
                client.http.get("/desk/tickets?view=open", headers=desk)
            pages = queue_pages(client, counter, desk, loaded.tickets_by_account.most_common(1)[0][0])
            found = searches(client, counter, desk, args.accounts, loaded.sample_ticket)
    finally:
        database.stop()
        shutil.rmtree(_RUN_DIR, ignore_errors=True)

    print(
        f"Desk at scale: {args.accounts:,} accounts, {args.tickets:,} open tickets "
        f"({', '.join(f'{state} {count:,}' for state, count in sorted(loaded.tickets_by_state.items()))}); "
        f"{loaded.items:,} items written with batch_write_item in {loaded.seconds:.1f} s"
    )
    queue_ok = report("Queue pages", pages, ("Query",), TARGET_QUEUE_REQUESTS)
    search_ok = report("Account searches", found, ("Query", "BatchGetItem"), TARGET_SEARCH_REQUESTS)
    worst = max(figures.ratio for figures in pages + found)
    print(
        f"desk: queue page ≤ {max(f.reads(('Query',)) for f in pages)} Queries, search ≤ "
        f"{max(f.reads(('Query', 'BatchGetItem')) for f in found)} requests, worst server time "
        f"{worst:.2f}x the time in its requests (target ≤ {TARGET_RATIO:g}x) "
        f"{'OK' if queue_ok and search_ok else 'MISS'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
