"""In-memory stores for the support services' unit tests (and the support desk's adversarial tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from shared.storage.tickets import AlreadyTakenIn, Requester

if TYPE_CHECKING:
    from shared.rules.support.process import StateChange

CONTACT = "anna@kunde.example"


def raw_mail(sender: str = CONTACT, subject: str = "Drucker druckt nicht", **headers: str) -> bytes:
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (
        f"From: {sender}\r\nTo: support@cocoon.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{abs(hash((sender, subject, extra)))}@kunde.example>\r\n{extra}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nSeit heute morgen geht nichts mehr.\r\n"
    ).encode()


@dataclass
class FakeIntake:
    """Accounts, contacts and tickets in dicts; every write is recorded by name."""

    live: bool = True
    contacts: dict[str, Any] = field(default_factory=dict)
    tickets: dict[str, Any] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    writes: list[tuple[str, Any]] = field(default_factory=list)
    duplicate_on_write: bool = False

    def __post_init__(self) -> None:
        self.account = SimpleNamespace(account_id="acc_1", state="active")

    def already_seen(self, seen_key: str) -> bool:
        return seen_key in self.seen

    def find_ticket(self, number: str) -> Any:
        return self.tickets.get(number)

    def get_account(self, account_id: str) -> Any:
        return self.account if account_id == "acc_1" else None

    def is_live(self, account: Any) -> bool:
        return account is not None and self.live

    def contact_of(self, account: Any, address: str) -> Any:
        return self.contacts.get(address)

    def find_requester(self, address: str) -> Requester | None:
        user = self.contacts.get(address)
        return Requester(self.account, user) if user is not None and self.live else None  # type: ignore[arg-type]

    def suppress(self, address: str, reason: str, now: datetime, *, source: str) -> None:
        self.writes.append(("suppress", address))

    def open_ticket(self, requester: Any, request: Any, now: datetime, policy: Any) -> Any:
        if self.duplicate_on_write:
            raise AlreadyTakenIn()
        self.writes.append(("open_ticket", request))
        return SimpleNamespace(number="2026112310001")

    def add_customer_message(self, ticket: Any, author: Any, text: str, channel: str, now: datetime, **kw: Any) -> Any:
        self.writes.append(("message", (ticket.number, author, text)))

    def closed_ticket_notice(self, ticket: Any, account: Any, sender: str, now: datetime, policy: Any) -> bool:
        self.writes.append(("closed_notice", (ticket.number, sender)))
        return True

    def keep_unverified_mail(self, account: Any, contact: Any, **kw: Any) -> bool:
        self.writes.append(("unverified", kw["quoted_ticket"]))
        return True


AGENT: Any = SimpleNamespace(staff_id="stf_1", name="Ben")


@dataclass
class FakeProcess:
    applied: list[StateChange] = field(default_factory=list)

    def apply_state_change(self, ticket: Any, change: StateChange, agent: Any, now: datetime, policy: Any) -> None:
        self.applied.append(change)
        ticket.state = change.wanted


def ticket(state: str, **facts: Any) -> Any:
    fields = {"needs_authorization": False, "authorized_at": None, "assignee_id": None, "first_response_at": None}
    return SimpleNamespace(state=state, **{**fields, **facts})


@dataclass
class FakeTickets:
    """Ticket numbers from a counter; an opened ticket is kept with what was decided for it."""

    opened: list[tuple[Any, Any]] = field(default_factory=list)  # (request, Opening)
    messages: list[tuple[Any, ...]] = field(default_factory=list)
    counter: int = 0

    def next_ticket_number(self, now: datetime, policy: Any) -> str:
        self.counter += 1
        return f"{now:%Y%m%d}{10000 + self.counter}"

    def save_opened_ticket(self, requester: Any, request: Any, opening: Any, now: datetime, policy: Any) -> Any:
        self.opened.append((request, opening))
        return SimpleNamespace(number=opening.number, priority=opening.priority, region=opening.region)

    def save_customer_message(
        self, ticket: Any, author: Any, text: str, channel: str, now: datetime, resumed: Any, **blobs: Any
    ) -> Any:
        self.messages.append((ticket.number, text, resumed))


@dataclass
class FakeReplies:
    """Replies as storage would receive them; `closed_meanwhile` makes the write lose the race with closing."""

    saved: list[dict[str, Any]] = field(default_factory=list)
    closed_meanwhile: bool = False

    def save_reply(
        self,
        ticket: Any,
        author: str,
        text: str,
        message_id: str,
        mail_order: Any,
        status_update_due: datetime,
        now: datetime,
        policy: Any,
    ) -> Any:
        if self.closed_meanwhile:
            from shared.storage.db import ConditionFailed

            raise ConditionFailed({("pk", "sk")})
        self.saved.append({"author": author, "text": text, "message_id": message_id, "mail": mail_order,
                           "status_update_due": status_update_due})
        return SimpleNamespace(message_id=message_id)
