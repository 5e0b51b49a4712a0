"""Read capacity of the SLA watch: in proportion to what is due, never a Scan.

Why: the SLA watch (functions/sla_watch.py) runs every 5 minutes over every open ticket of every
account. If it scanned, or read tickets to find the overdue ones, each run would cost in proportion
to the number of tickets, however few are due. It finds its work through the sparse `due` index
instead (one partition per watch: "sla-first-response", "sla-status-update", "ticket-close", range
`due_at`), so a run should cost about what reading the due items themselves costs. Target: consumed
read capacity of one run <= 2 x the baseline, and no Scan.

Data (DynamoDB Local, in memory): 1,000 live accounts, 100,000 tickets, of which 100 are due now:
- 50 accounts are signed up and verified by the application's own code (each with a second
  contact activated by the app); 950 are written directly (account, admin and one more user).
- The 100 due tickets are opened and worked by the application's own code with a moving clock
  (open_ticket, assign, change_state, reply, log_time, solve), in the 50 app accounts:
  60 whose first response is overdue, 30 answered a week ago whose status update is due,
  10 solved more than 7 days ago and due to close. So their items (watches, messages, mails,
  counters) are exactly what production writes.
- The other 99,900 tickets are spread over all 1,000 accounts (~100 each) and written with
  `batch_write_item`, serialized by the PynamoDB models themselves (Ticket, ScheduledAction,
  DailyCounter), with their watches computed by the app's own rules (first_response_due,
  next_status_update) and all due in the future: 80% unanswered (a first-response and a
  status-update watch each), 12% answered and in progress or waiting (a status-update watch),
  8% solved within the last 7 days (a close watch). About 180,000 watch items share the three
  index partitions with the 100 due ones. The bulk tickets get no message items: the watch never
  reads a partition, only items by key, so they would change nothing but the loading time.

How capacity is measured (as in bench/bench_sweeps.py): every DynamoDB call of every botocore client
(PynamoDB's and boto3's) goes through `botocore.client.BaseClient._make_api_call`; inside a
measuring window the wrapper sets `ReturnConsumedCapacity=INDEXES` on each operation that accepts
it and adds up the `ConsumedCapacity` of the response, split by table and index, and for GetItem by
the kind of item read (the sort key's prefix) and whether the read was strongly consistent, and by
the application code that asked (the innermost two frames in functions/ or shared/), so each cost
points at the line that would change it. Read
capacity is what Query, GetItem, BatchGetItem, TransactGetItems and Scan consume; everything else
is write capacity (shown for information, no target). DynamoDB Local computes ConsumedCapacity the
way AWS defines it (4 KB units, eventually consistent reads at half price); a call that came back
without it makes the run fail rather than report too little.

Baseline ("reading just those 100 items"): for each of the 100 due actions, one eventually
consistent GetItem of the ticket item and one of its due watch item: 200 GetItem, read through a
plain boto3 client before the watch runs.

Checked as well: before the run, a Query of the due index finds exactly the 100 actions made above
due (nothing of the bulk); the run reports 60 escalated, 30 status updates sent, 10 closed and no
skips or failures; afterwards each of the 100 tickets, its watches and its mail are as they should
be, 30 sampled bulk tickets and their watches are untouched, and a second run finds nothing (three
empty Queries). A Scan is not run for comparison: DynamoDB Local pages through ~280,000 items in
about ten minutes; its cost is estimated from the bulk items' sizes instead (checked against a real
Scan with 1/20 of the data: 873 estimated, 876 RCU measured).

Run: ``.venv/bin/python bench/bench_sla_watch.py`` from the project root (3 to 5 minutes on 2
cores, nearly all of it loading ~280,000 items at 1,000-1,750 a second with both cores busy:
DynamoDB Local takes about 60% of the CPU, serializing and sending in Python the rest; needs Java:
`make install`).
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.capacity import CapacityMeter, Window  # noqa: E402 - needs nothing from the environment
from bench.world import bulk_write, raw_client  # noqa: E402 - imports boto3 on first use
from infra import dynamodb_local  # noqa: E402 - needs nothing from the environment

# Before any shared.* import: the storage models bind their endpoint and table at import.
_PORT, _RUN_DIR = dynamodb_local.isolated_environment("cocoon-bench-sla-")


ACCOUNTS = 1_000
APP_ACCOUNTS = 50  # of ACCOUNTS: signed up by the app's own code; they hold the due tickets
TICKETS = 100_000
DUE_FIRST_RESPONSE = 60
DUE_STATUS_UPDATE = 30
DUE_CLOSE = 10
DUE = DUE_FIRST_RESPONSE + DUE_STATUS_UPDATE + DUE_CLOSE
TARGET_RATIO = 2.0
# Wednesday 14:00 in Berlin: support is open, the due tickets below fell due this week.
NOW = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)
BERLIN_OFFSET = timedelta(hours=1)  # CET in February and March 2026 (summer time starts 29 March)
TOKEN_PATTERN = re.compile(r"token=([A-Za-z0-9_\-]+)")
SEED = 20260304


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall-clock time in February/March 2026 as an aware UTC moment."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - BERLIN_OFFSET


# --- measuring: bench/capacity.py; loading: bench/world.py ----------------------------------------


# --- accounts and staff, made by the application itself ------------------------------------------


@dataclass(frozen=True)
class Contact:
    user_id: str
    email: str
    name: str


@dataclass(frozen=True)
class Tenant:
    account_id: str
    region: str
    contacts: tuple[Contact, ...]


def make_app_accounts() -> list[Tenant]:
    """50 accounts signed up 20 days ago and verified, each with a colleague activated a day later."""
    from shared.policy import get_policy
    from shared.rules.identity import user_id_for_email
    from shared.services.accounts.signup import NewSignup, start_signup, verify_signup
    from shared.storage.lifecycle import activate_user
    from shared.storage.models import OutboxMail, account_pk

    policy = get_policy()
    signed_up = NOW - timedelta(days=20)  # still in the 30-day trial: live, may open tickets
    tenants = []
    for number in range(APP_ACCOUNTS):
        admin = Contact(
            user_id_for_email(f"admin-{number}@kunde.example"), f"admin-{number}@kunde.example", "Erika Mustermann"
        )
        signup = NewSignup(
            company_name=f"Kunde {number} GmbH",
            organization_type="company",
            country="DE",
            vat_id="DE136695976",
            admin_name=admin.name,
            admin_email=admin.email,
            language="de",
        )
        account_id = start_signup(signup, signed_up, policy)
        mail = OutboxMail.get(account_pk(account_id), f"MAIL#verify-{account_id}")
        match = TOKEN_PATTERN.search(mail.body_text)
        assert match is not None, "no verification link in the verification mail"
        verify_signup(match.group(1), signed_up + timedelta(minutes=10), policy)
        colleague, _ = activate_user(
            account_id, f"it-{number}@kunde.example", "Max Mustermann", signed_up + timedelta(days=1)
        )
        tenants.append(Tenant(account_id, "DACH", (admin, Contact(colleague.user_id, colleague.email, colleague.name))))
    return tenants


def make_agent() -> Any:
    """The support agent who assigns, answers and solves, as `cocoon staff add` creates one."""
    from shared.storage.tokens import add_staff_member

    member, _token = add_staff_member("Alex Agent", "alex@cocoon.example", "agent", NOW - timedelta(days=60))
    return member


# --- the 99,900 tickets with nothing due, written in bulk ---------------------------------------


# (country, region): mostly DACH, some of the rest of Europe and the Americas (another calendar).
COUNTRIES = (("DE", "DACH"),) * 6 + (("AT", "DACH"), ("CH", "DACH"), ("FR", "EMEA"), ("US", "USA"))
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_WEIGHTS = (5, 20, 55, 20)
# How long ago an unanswered ticket of the priority may have come in (calendar time); tickets
# whose target has passed are pushed later (see _unanswered), only the 60 made by the app are due.
RECEIVED_WITHIN = {
    "urgent": timedelta(hours=5),
    "high": timedelta(days=1),
    "normal": timedelta(days=3),
    "low": timedelta(days=7),
}
REQUESTS = (
    (
        "Export to Excel fails with error 500",
        "Clicking Export in the contact list shows error 500.",
        "Contacts > Export > Excel",
        "since the update on Monday",
        "5.2.1",
    ),
    ("Cannot log in since this morning", "The login page says the password is wrong for all of us.", "", "today", ""),
    (
        "Serienbrief: Umlaute falsch",
        "Im Serienbrief erscheinen Umlaute als Fragezeichen (ä wird zu ?).",
        "Vorlage öffnen, Kontakte wählen, Vorschau",
        "seit letzter Woche",
        "5.1.9",
    ),
    (
        "Calendar sync with Outlook duplicates appointments",
        "Every appointment appears twice after syncing.",
        "Settings > Calendar > Sync now",
        "",
        "5.2.0",
    ),
    ("Question about invoices", "Where do I find the invoices of last year?", "", "", ""),
    (
        "Import of 20,000 contacts stops at 10,000",
        "The CSV import stops without a message at 10,000 rows.",
        "Contacts > Import > CSV, file attached",
        "first time we try",
        "5.2.1",
    ),
)


def _details(template: int, others_affected: bool | None, contact: str) -> tuple[dict[str, Any], list[str]]:
    """A request's details as open_ticket stores them, and what the acknowledgement asked for."""
    from shared.rules.tickets import RequestDetails, missing_information

    _subject, description, steps, since, version = REQUESTS[template]
    details = RequestDetails(
        description=description,
        steps=steps,
        since=since,
        others_affected=others_affected,
        version=version,
        technical_contact=contact,
    )
    return {k: v for k, v in vars(details).items() if k != "attachments"}, missing_information(details)


@dataclass
class BulkTicket:
    """What differs between the bulk tickets; numbered once all are known (per Berlin day)."""

    tenant: Tenant
    contact: Contact
    kind: str  # "unanswered" | "answered" | "solved"
    state: str
    priority: str
    received_at: datetime
    first_response_due: datetime
    watches: list[tuple[str, datetime]]  # (job, due at): all after NOW
    first_response_at: datetime | None = None
    last_public_update_at: datetime | None = None
    waiting_since: datetime | None = None
    solved_at: datetime | None = None
    message_count: int = 1
    template: int = 0
    channel: str = "form"
    number: str = ""


def _tickets_specs(tenants: list[Tenant]) -> list[BulkTicket]:
    """The 99,900 tickets in random but fixed states, each with the watches its state implies."""
    from shared.policy import get_policy
    from shared.services.support.clock import first_response_due as due_for
    from shared.services.support.clock import next_status_update
    from shared.storage.tickets import CLOSE_JOB, FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB

    policy = get_policy()
    rng = random.Random(SEED)
    closes_after = timedelta(days=policy.support.closed_ticket_closes_after_days)

    def status_update_after(region: str, moment: datetime) -> datetime:
        return next_status_update(region, moment, policy)

    specs = []
    for n in range(TICKETS - DUE):
        tenant = tenants[n % len(tenants)]
        contact = tenant.contacts[rng.randrange(len(tenant.contacts))]
        priority = rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0]
        share = n % 100
        if share < 80:  # unanswered: the first response is still ahead
            ago = rng.uniform(60, RECEIVED_WITHIN[priority].total_seconds())
            while True:
                received = (NOW - timedelta(seconds=ago)).replace(microsecond=0)
                due = due_for(received, priority, tenant.region, policy)
                if due > NOW:
                    break
                ago /= 2  # target passed: it came in later
            state = "assigned" if rng.random() < 0.4 else "new"
            watches = [(FIRST_RESPONSE_JOB, due), (STATUS_UPDATE_JOB, status_update_after(tenant.region, received))]
            spec = BulkTicket(
                tenant,
                contact,
                "unanswered",
                state,
                priority,
                received,
                due,
                watches,
                last_public_update_at=received,
                message_count=rng.choice((1, 1, 1, 2)),
            )
        elif share < 92:  # answered, in progress or waiting for the customer: the status update is ahead
            ago = rng.uniform(600, timedelta(days=6).total_seconds())
            while True:
                updated = (NOW - timedelta(seconds=ago)).replace(microsecond=0)
                following = status_update_after(tenant.region, updated)
                if following > NOW:
                    break
                ago /= 2
            received = updated - timedelta(seconds=rng.uniform(3600, timedelta(days=10).total_seconds()))
            received = received.replace(microsecond=0)
            answered = received + (updated - received) * rng.uniform(0.05, 1.0)
            waiting = rng.random() < 0.25
            spec = BulkTicket(
                tenant,
                contact,
                "answered",
                "waiting_for_customer" if waiting else "in_progress",
                priority,
                received,
                due_for(received, priority, tenant.region, policy),
                [(STATUS_UPDATE_JOB, following)],
                first_response_at=answered.replace(microsecond=0),
                last_public_update_at=updated,
                waiting_since=updated if waiting else None,
                message_count=rng.randint(2, 7),
            )
        else:  # solved within the last 7 days: closing is ahead
            solved = NOW - timedelta(seconds=rng.uniform(3600, (closes_after - timedelta(hours=2)).total_seconds()))
            solved = solved.replace(microsecond=0)
            received = solved - timedelta(seconds=rng.uniform(7200, timedelta(days=10).total_seconds()))
            received = received.replace(microsecond=0)
            answered = (received + (solved - received) * rng.uniform(0.05, 0.9)).replace(microsecond=0)
            spec = BulkTicket(
                tenant,
                contact,
                "solved",
                "solved",
                priority,
                received,
                due_for(received, priority, tenant.region, policy),
                [(CLOSE_JOB, solved + closes_after)],
                first_response_at=answered,
                last_public_update_at=answered,
                solved_at=solved,
                message_count=rng.randint(2, 7),
            )
        assert all(at > NOW for _job, at in spec.watches), spec
        spec.template = rng.randrange(len(REQUESTS))
        spec.channel = rng.choice(("form", "form", "app", "email", "email", "phone"))
        specs.append(spec)
    return specs


def _number_tickets(specs: list[BulkTicket]) -> dict[date, int]:
    """Ticket numbers as open_ticket draws them: per Berlin day, in order of receipt; the day counters."""
    from zoneinfo import ZoneInfo

    from shared.policy import get_policy
    from shared.rules.clock import local_day
    from shared.rules.tickets import ticket_number

    zone = ZoneInfo(get_policy().company_time_zone)
    counters: Counter[date] = Counter()
    for spec in sorted(specs, key=lambda s: s.received_at):
        day = local_day(spec.received_at, zone)
        counters[day] += 1
        spec.number = ticket_number(day, counters[day])
        assert len(spec.number) == 13, spec.number  # the tag's pattern expects 13 digits
    return dict(counters)


def _bulk_items(
    tenants: list[Tenant], bulk_tenants: set[str], specs: list[BulkTicket], counters: dict[date, int], agent: Any
) -> Iterator[dict[str, Any]]:
    """Accounts, users, tickets, watches and day counters, serialized by the models themselves."""
    from shared.policy import get_policy
    from shared.rules.clock import utc_iso
    from shared.storage.keys.accounts import contact_lookup_key
    from shared.storage.models import Account, DailyCounter, Ticket, User, account_pk
    from shared.storage.schedule import scheduled_action

    policy = get_policy()
    countries = {region: country for country, region in reversed(COUNTRIES)}
    for number, tenant in enumerate(tenants):
        if tenant.account_id not in bulk_tenants:
            continue  # made by the app
        started = NOW - timedelta(days=60 + number % 700)
        customer = number % 4 != 0  # three in four pay, the others are in their trial
        first_day = (NOW - timedelta(days=number % 25)).date() if not customer else started.date()
        account = Account(
            account_pk(tenant.account_id),
            "ACCOUNT",
            account_id=tenant.account_id,
            state="customer" if customer else "trial",
            company_name=f"Bench {number} GmbH",
            organization_type="company" if number % 9 else "public_institution",
            country=countries[tenant.region],
            vat_id="DE136695976" if tenant.region == "DACH" else None,
            admin_name=tenant.contacts[0].name,
            admin_email=tenant.contacts[0].email,
            language="de",
            dpa_version=policy.dpa_version,
            dpa_accepted_at=started,
            created_at=started,
            verified_at=started,
            trial_started_on=first_day.isoformat(),
            trial_ends_on=(first_day + timedelta(days=29)).isoformat(),
            paid_from=(first_day + timedelta(days=30)).isoformat() if customer else None,
            edition="team" if customer else None,
            token_hashes=[hashlib.sha256(tenant.account_id.encode()).hexdigest()],
        )
        yield account.serialize()
        for position, contact in enumerate(tenant.contacts):
            yield User(
                account_pk(tenant.account_id),
                f"USER#{contact.user_id}",
                account_id=tenant.account_id,
                user_id=contact.user_id,
                email=contact.email,
                name=contact.name,
                role="admin" if position == 0 else "user",
                active=True,
                created_at=started,
                lookup_key=contact_lookup_key(contact.email),
            ).serialize()

    for spec in specs:
        subject = REQUESTS[spec.template][0]
        details, missing = _details(
            spec.template, None if spec.template % 2 else True, "" if spec.template % 3 else spec.contact.email
        )
        assigned = spec.state != "new"
        ticket = Ticket(
            account_pk(spec.tenant.account_id),
            f"TICKET#{spec.number}",
            account_id=spec.tenant.account_id,
            number=spec.number,
            subject=subject,
            state=spec.state,
            priority=spec.priority,
            region=spec.tenant.region,
            channel=spec.channel,
            received_at=spec.received_at,
            first_response_due=spec.first_response_due,
            first_response_at=spec.first_response_at,
            requester_user_id=spec.contact.user_id,
            requester_email=spec.contact.email,
            requester_name=spec.contact.name,
            impact={"urgent": "unusable", "high": "severe", "normal": "moderate", "low": "minimal"}[spec.priority],
            details=details,
            missing=missing,
            vague_subject=False,
            assignee_id=agent.staff_id if assigned else None,
            assignee_name=agent.name if assigned else None,
            last_public_update_at=spec.last_public_update_at,
            solved_at=spec.solved_at,
            waiting_since=spec.waiting_since,
            lookup_key=f"TICKET#{spec.number}",
            message_count=spec.message_count,
            # In the staff queue while open or solved, by the first-response target (as _queue_actions).
            queue_state=spec.state,
            queue_due=utc_iso(spec.first_response_due),
        )
        yield ticket.serialize()
        for job, due_at in spec.watches:
            yield scheduled_action(spec.tenant.account_id, job, spec.number, due_at).serialize()

    for day, value in counters.items():
        yield DailyCounter(f"COUNTER#TICKET#{day:%Y%m%d}", "COUNTER", value=value).serialize()


def _bulk_tenants(app_tenants: list[Tenant]) -> list[Tenant]:
    """The 950 accounts written directly, each with an admin and one more contact."""
    from shared.rules.identity import user_id_for_email

    tenants = []
    for number in range(ACCOUNTS - APP_ACCOUNTS):
        _country, region = COUNTRIES[number % len(COUNTRIES)]
        people = (
            (f"admin-{number}@bench.example", "Erika Mustermann"),
            (f"support-{number}@bench.example", "Jonas Beispiel"),
        )
        contacts = tuple(Contact(user_id_for_email(email), email, name) for email, name in people)
        tenants.append(Tenant(f"acc_{number:016x}", region, contacts))  # the shape of new_id("acc_")
    return app_tenants + tenants


@dataclass
class Loaded:
    items: int
    watches: Counter[str]  # not yet due, by job
    seconds: float
    samples: list[BulkTicket]  # a few bulk tickets, to check afterwards that the run left them alone
    bytes: int  # their size as DynamoDB counts it: what a Scan would read


def load_bulk(endpoint: str, table: str, app_tenants: list[Tenant], agent: Any) -> Loaded:
    """Write the bulk items with batch_write_item from several threads."""
    started = time.perf_counter()
    tenants = _bulk_tenants(app_tenants)
    specs = _tickets_specs(tenants)
    counters = _number_tickets(specs)
    by_job: Counter[str] = Counter(job for spec in specs for job, _at in spec.watches)
    bulk = {tenant.account_id for tenant in tenants[len(app_tenants) :]}
    size = 0

    def sized(items: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal size
        for item in items:
            size += item_size(item)
            yield item

    written = bulk_write(endpoint, table, sized(_bulk_items(tenants, bulk, specs, counters, agent)))
    samples = random.Random(SEED).sample(specs, 30)
    return Loaded(written, by_job, time.perf_counter() - started, samples, size)


# --- the 100 due tickets, made and worked by the application itself -----------------------------


@dataclass(frozen=True)
class DueAction:
    job: str
    account_id: str
    number: str

    @property
    def pk(self) -> str:
        return f"ACCOUNT#{self.account_id}"


def make_due_tickets(tenants: list[Tenant], agent: Any) -> list[DueAction]:
    """60 overdue first responses, 30 status updates due, 10 solved tickets due to close, via the app.

    Days (Berlin, February/March 2026): Tue 24 Feb, Wed 25 Feb, Mon 2 Mar, Tue 3 Mar; NOW is Wed 4 Mar 14:00.
    """
    from decimal import Decimal

    from shared.policy import get_policy
    from shared.rules.tickets import RequestDetails
    from shared.services.support import desk, process
    from shared.services.support.tickets import open_ticket
    from shared.storage.accounts import get_account
    from shared.storage.models import Ticket, User, account_pk
    from shared.storage.tickets import (
        CLOSE_JOB,
        FIRST_RESPONSE_JOB,
        STATUS_UPDATE_JOB,
        NewRequest,
        Requester,
    )

    policy = get_policy()

    def fresh(ticket: Ticket) -> Ticket:
        # Transactions do not refresh the object in hand; the next step needs the stored state.
        return Ticket.get(ticket.pk, ticket.sk, consistent_read=True)

    def opened(index: int, at: datetime, impact: str) -> Ticket:
        tenant = tenants[index % len(tenants)]
        account = get_account(tenant.account_id)
        assert account is not None
        contact = tenant.contacts[index % 2]
        user = User.get(account_pk(tenant.account_id), f"USER#{contact.user_id}")
        subject, description, steps, since, version = REQUESTS[index % len(REQUESTS)]
        request = NewRequest(
            subject=subject,
            channel=("form", "app", "email")[index % 3],
            impact=impact,
            details=RequestDetails(description=description, steps=steps, since=since, version=version),
        )
        return open_ticket(Requester(account, user), request, at, policy)

    due: list[DueAction] = []
    mon, tue = date(2026, 3, 2), date(2026, 3, 3)
    for index in range(DUE_FIRST_RESPONSE):
        # high 8 h from Mon 15:00, urgent 4 h from Tue 11:00, normal 16 h from Mon 11:00: due Tue 15:00
        # or Wed 11:00, before NOW; a quarter were assigned but nobody answered.
        at, impact = ((berlin(mon, 15), "severe"), (berlin(tue, 11), "unusable"), (berlin(mon, 11), "moderate"))[
            index % 3
        ]
        ticket = opened(index, at + timedelta(minutes=index), impact)
        if index % 4 == 0:
            desk.assign(ticket, agent)
        due.append(DueAction(FIRST_RESPONSE_JOB, ticket.account_id, ticket.number))

    feb24, feb25 = date(2026, 2, 24), date(2026, 2, 25)
    for index in range(DUE_FIRST_RESPONSE, DUE_FIRST_RESPONSE + DUE_STATUS_UPDATE):
        # Answered Wed 25 Feb 11:00: 40 support hours (5 working days) later, Wed 4 Mar 11:00, an update is due.
        ticket = opened(index, berlin(feb25, 9, 30), "severe")
        process.change_state(ticket, "in_progress", agent, berlin(feb25, 10, 30), policy)
        desk.reply(fresh(ticket), agent, "We are on it and will report back.", berlin(feb25, 11), policy)
        due.append(DueAction(STATUS_UPDATE_JOB, ticket.account_id, ticket.number))

    for index in range(DUE_FIRST_RESPONSE + DUE_STATUS_UPDATE, DUE):
        # Solved Wed 25 Feb 12:00: closes 7 days later, Wed 4 Mar 12:00; half with a service report.
        ticket = opened(index, berlin(feb24, 10, 30), "moderate")
        process.change_state(ticket, "in_progress", agent, berlin(feb24, 11), policy)
        desk.reply(fresh(ticket), agent, "Fixed in 5.2.2, please retry.", berlin(feb24, 11, 30), policy)
        if index % 2 == 0:
            desk.log_time(fresh(ticket), agent, Decimal("1.5"), "Analysis and fix", berlin(feb24, 12))
        process.change_state(fresh(ticket), "solved", agent, berlin(feb25, 12), policy)
        due.append(DueAction(CLOSE_JOB, ticket.account_id, ticket.number))
    return due


def check_due_index(endpoint: str, table: str, due: list[DueAction]) -> None:
    """Before the run, outside any window: exactly the 100 actions made above are due, nothing else."""
    from shared.rules.clock import utc_iso

    client = raw_client(endpoint)
    found: set[tuple[str, str, str]] = set()
    for job in {action.job for action in due}:
        params: dict[str, Any] = {
            "TableName": table,
            "IndexName": "due",
            "KeyConditionExpression": "due_job = :job AND due_at <= :now",
            "ExpressionAttributeValues": {":job": {"S": job}, ":now": {"S": utc_iso(NOW)}},
        }
        while True:
            page = client.query(**params)
            found.update((job, item["account_id"]["S"], item["action"]["S"]) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    expected = {(action.job, action.account_id, action.number) for action in due}
    assert found == expected, (len(found), len(expected), sorted(found ^ expected)[:5])


# --- the measurement --------------------------------------------------------------------------


def baseline(meter: CapacityMeter, endpoint: str, table: str, due: list[DueAction]) -> tuple[Window, Counter[str]]:
    """Reading just the due items: a GetItem of each ticket and of its due watch (eventually consistent).

    Also the largest ticket and watch item read, in bytes: what decides the price of each GetItem.
    """
    client = raw_client(endpoint)
    largest: Counter[str] = Counter()
    with meter.window() as window:
        for action in due:
            for kind, sk in (("ticket", f"TICKET#{action.number}"), ("watch", f"DUE#{action.job}#{action.number}")):
                key = {"pk": {"S": action.pk}, "sk": {"S": sk}}
                item = client.get_item(TableName=table, Key=key).get("Item")
                assert item is not None, (action, sk)
                largest[kind] = max(largest[kind], item_size(item))
    return window, largest


def _expect(result: Any, done: int, details: dict[str, int]) -> None:
    assert (result.done, result.skipped, result.failed) == (done, 0, 0), result.summary()
    assert result.details == details, result.summary()


def check_effects(due: list[DueAction], samples: list[BulkTicket]) -> None:
    """The run did its work on the 100 and left everything else alone."""
    from shared.policy import get_policy
    from shared.rules.clock import utc_iso
    from shared.services.support.clock import next_status_update
    from shared.storage.models import OutboxMail, ScheduledAction, Ticket
    from shared.storage.tickets import CLOSE_JOB, FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB

    policy = get_policy()

    def watch(pk: str, job: str, number: str) -> ScheduledAction | None:
        try:
            return ScheduledAction.get(pk, f"DUE#{job}#{number}", consistent_read=True)
        except ScheduledAction.DoesNotExist:
            return None

    for action in due:
        ticket = Ticket.get(action.pk, f"TICKET#{action.number}", consistent_read=True)
        tag = f"[Ticket#{action.number}]"
        if action.job == FIRST_RESPONSE_JOB:
            assert ticket.escalated_at == NOW and ticket.state in ("new", "assigned"), action
            assert watch(action.pk, FIRST_RESPONSE_JOB, action.number) is None, action  # escalated once
            assert watch(action.pk, STATUS_UPDATE_JOB, action.number) is not None, action  # still watched
            mail = OutboxMail.get(action.pk, f"MAIL#escalation-{action.number}")
            assert mail.recipient == policy.support.support_lead_email and tag in mail.subject, action
        elif action.job == STATUS_UPDATE_JOB:
            assert ticket.last_public_update_at == NOW and ticket.state == "in_progress", action
            moved = watch(action.pk, STATUS_UPDATE_JOB, action.number)
            assert moved is not None and moved.due_at == utc_iso(next_status_update(ticket.region, NOW, policy)), action
            assert moved.due_at > utc_iso(NOW), action
            mail = OutboxMail.get(action.pk, f"MAIL#status-update-{action.number}-{NOW:%Y%m%d%H%M}")
            assert mail.recipient == ticket.requester_email and tag in mail.subject, action
        else:
            assert ticket.state == "closed" and ticket.closed_at == NOW, action
            assert ticket.queue_state is None and ticket.queue_due is None, action  # out of the staff queue
            assert watch(action.pk, CLOSE_JOB, action.number) is None, action
    for spec in samples:  # a few of the 99,900: untouched, their watches where they were
        pk = f"ACCOUNT#{spec.tenant.account_id}"
        ticket = Ticket.get(pk, f"TICKET#{spec.number}", consistent_read=True)
        assert ticket.state == spec.state and ticket.escalated_at is None and ticket.closed_at is None, spec.number
        assert ticket.last_public_update_at == spec.last_public_update_at, spec.number
        for job, due_at in spec.watches:
            kept = watch(pk, job, spec.number)
            assert kept is not None and kept.due_at == utc_iso(due_at), (spec.number, job)


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it (names plus values; numbers ~1 byte per 2 digits + 1)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(str(content).encode())
    if kind == "N":
        return (len(str(content).lstrip("-").replace(".", "")) + 1) // 2 + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _value_size(element) for name, element in content.items())
    return sum(len(str(element).encode()) for element in content)  # SS, NS, BS


def scan_estimate(total_bytes: int) -> float:
    """What one Scan of the bulk items would read: their size in 4 KB units, eventually consistent.

    Estimated, not run: DynamoDB Local pages through a table of this size far too slowly (about ten
    minutes) for a bench that should take a few; with 1/20 of the data a real Scan read 876 RCU
    where this estimate said 873.
    """
    return -(-total_bytes // 4096) * 0.5


# --- reporting --------------------------------------------------------------------------------


def _lines(window: Window, tally: dict[str, float], unit: str) -> None:
    for key, units in sorted(tally.items(), key=lambda entry: -entry[1]):
        shares = [f"index {index} {part:.2f}" for (k, index), part in window.index_share.items() if k == key]
        of_which = f"  (of which {', '.join(shares)})" if shares else ""
        calls = window.calls[key]
        print(f"        {units:9.2f} {unit}  {calls:4d} x {key}  ({units / calls:.2f} each){of_which}")
        for (k, caller), count in sorted(window.caller_calls.items(), key=lambda entry: -entry[1]):
            if k == key:
                print(f"          {window.caller_units[k, caller]:9.2f} {unit}  {count:4d} x from {caller}")


def main() -> None:
    """Start DynamoDB Local in memory, load, measure, stop it again whatever happens."""
    from functions import sla_watch
    from shared.storage.tickets import CLOSE_JOB, FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB

    meter = CapacityMeter()
    meter.install()
    database = dynamodb_local.start(port=_PORT)
    try:
        from shared.settings import get_settings

        table, endpoint = get_settings().table_name, database.endpoint
        dynamodb_local.create_tables(endpoint, recreate=True)
        started = time.perf_counter()
        app_tenants = make_app_accounts()
        agent = make_agent()
        accounts_seconds = time.perf_counter() - started
        loaded = load_bulk(endpoint, table, app_tenants, agent)
        started = time.perf_counter()
        due = make_due_tickets(app_tenants, agent)
        due_seconds = time.perf_counter() - started
        check_due_index(endpoint, table, due)

        base, largest = baseline(meter, endpoint, table, due)
        with meter.window() as run:
            started = time.perf_counter()
            result = sla_watch.run(NOW)
            run_seconds = time.perf_counter() - started
        _expect(
            result,
            DUE,
            {"escalated": DUE_FIRST_RESPONSE, "status updates sent": DUE_STATUS_UPDATE, "closed": DUE_CLOSE},
        )
        with meter.window() as rerun:
            _expect(sla_watch.run(NOW), 0, {})  # the watches went (or moved on) with their effects
        assert dict(rerun.operations) == {"Query": 3}, rerun.operations  # one empty Query per watch
        assert rerun.rcu <= 3 * 0.5, rerun.read  # at most AWS's minimum per Query (Local reports 0)
        check_effects(due, loaded.samples)
    finally:
        database.stop()
        shutil.rmtree(_RUN_DIR, ignore_errors=True)  # blobs and mails of the due tickets

    windows = (base, run, rerun)
    missing = sum((window.without_capacity for window in windows), Counter[str]())
    failed = sum((window.failed for window in windows), Counter[str]())
    assert not missing, f"DynamoDB Local answered without ConsumedCapacity: {dict(missing)}"
    assert not failed, f"DynamoDB calls failed while measuring: {dict(failed)}"

    ratio = run.rcu / base.rcu
    ok = ratio <= TARGET_RATIO and run.scans == 0 and rerun.scans == 0
    print(
        "SLA watch read capacity (ReturnConsumedCapacity=INDEXES on every DynamoDB call; "
        "DynamoDB Local returned it for every call)"
    )
    print(
        f"  data: {ACCOUNTS:,} live accounts ({APP_ACCOUNTS} signed up by the app's own code in "
        f"{accounts_seconds:.1f} s), {TICKETS:,} tickets; {loaded.items:,} items written with "
        f"batch_write_item in {loaded.seconds:.1f} s; the {DUE} due tickets opened and worked by the app's "
        f"own code in {due_seconds:.1f} s"
    )
    watches = loaded.watches
    print(
        f"  due index, not yet due: {FIRST_RESPONSE_JOB} {watches[FIRST_RESPONSE_JOB]:,}, "
        f"{STATUS_UPDATE_JOB} {watches[STATUS_UPDATE_JOB]:,}, {CLOSE_JOB} {watches[CLOSE_JOB]:,} items; "
        f"due now: {DUE_FIRST_RESPONSE} first responses overdue, {DUE_STATUS_UPDATE} status updates, "
        f"{DUE_CLOSE} to close"
    )
    print(
        f"  baseline = reading just the {DUE} due items: per due action one GetItem of the ticket and one of "
        f"its due watch item, eventually consistent: {base.operations['GetItem']} GetItem, {base.rcu:.2f} RCU "
        f"(largest ticket {largest['ticket']:,} bytes, watch {largest['watch']:,} bytes: one 4 KB unit each)"
    )
    print(f"  run: functions.sla_watch.run(NOW): {result.summary()} in {run_seconds:.2f} s")
    print(f"    requests: {dict(sorted(run.operations.items()))}; Scan: {run.scans}")
    print(f"    read  {run.rcu:9.2f} RCU")
    _lines(run, run.read, "RCU")
    print(f"    write {run.wcu:9.2f} WCU (information, no target)")
    _lines(run, run.write, "WCU")
    print(f"    ratio {ratio:.2f} (target <= {TARGET_RATIO:g}, no Scan) {'OK' if ok else 'MISS'}")
    print(f"  second run, nothing due: {rerun.rcu:.2f} RCU, requests {dict(rerun.operations)}")
    scan = scan_estimate(loaded.bytes)
    print(
        f"  for comparison, not done by the watch: one Scan of just the {loaded.items:,} bulk items "
        f"({loaded.bytes / 1e6:,.1f} MB) would read about {scan:,.0f} RCU, {scan / base.rcu:,.0f} x the baseline"
    )
    print(
        f"SLA watch read capacity / reading the {DUE} due items: {ratio:.2f} "
        f"(target <= {TARGET_RATIO:g}, no Scan) {'OK' if ok else 'MISS'}"
    )


if __name__ == "__main__":
    main()
