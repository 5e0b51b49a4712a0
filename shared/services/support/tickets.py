"""Opening a ticket and adding the customer's messages: the decisions, then one storage transaction.

Region, priority, first-response target, what the acknowledgement asks for, and the
mails are decided here from the typed policy; a `TicketStore` (storage by default; an
in-memory fake in the unit tests) draws the number and writes what was decided.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from shared.rules.support.clock import ResumedClock
from shared.rules.support.opening import Opening, opening_mails
from shared.rules.support.reopening import SOLVED, CustomerWrite, customer_write
from shared.rules.support.states import WAITING
from shared.rules.tickets import missing_information, priority_for_impact, region_for_country
from shared.services.support.clock import first_response_due, next_status_update, resumed_clock

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.services.support.notifications import NoticeStore
    from shared.storage.models import Ticket, User
    from shared.storage.tickets import IncomingAttachment, NewRequest, Requester


class TicketStore(Protocol):
    """What opening and adding to a ticket read and write; storage's functions, or a fake in unit tests."""

    def next_ticket_number(self, now: datetime, policy: Policy) -> str: ...
    def save_opened_ticket(
        self, requester: Requester, request: NewRequest, opening: Opening, now: datetime, policy: Policy
    ) -> Ticket: ...
    def save_customer_message(
        self,
        ticket: Ticket,
        author: User,
        text: str,
        channel: str,
        now: datetime,
        resumed: ResumedClock | None,
        **blobs: Any,
    ) -> Any: ...


def reopens(ticket: Ticket, now: datetime, policy: Policy) -> bool:
    """Whether a customer's message to this ticket reopens it (solved, within the policy's days)."""
    return _customer_write(ticket, now, policy) is CustomerWrite.REOPENS


def takes_customer_message(ticket: Ticket, now: datetime, policy: Policy) -> bool:
    """An open ticket takes the customer's message, and a solved one within its days (it reopens)."""
    return _customer_write(ticket, now, policy) is not CustomerWrite.REFUSED


def _customer_write(ticket: Ticket, now: datetime, policy: Policy) -> CustomerWrite:
    solved_at = ticket.solved_at if ticket.state == SOLVED else None  # only a solved ticket has its days
    return customer_write(ticket.state, solved_at, now, policy.support.closed_ticket_closes_after_days)


class StoredTickets:
    """The ticket store on DynamoDB: storage's functions, imported when first used (cold start)."""

    def next_ticket_number(self, now: datetime, policy: Policy) -> str:
        from shared.storage.tickets import next_ticket_number

        return next_ticket_number(now, policy)

    def save_opened_ticket(
        self, requester: Requester, request: NewRequest, opening: Opening, now: datetime, policy: Policy
    ) -> Ticket:
        from shared.services.support.mails import ordered_mail
        from shared.storage.tickets import opened_ticket, save_opened_ticket

        # The mails are composed from the ticket as it will be stored; storage writes them with it.
        ticket = opened_ticket(requester, request, opening, now)
        mails = [ordered_mail(ticket, requester.account, order, now, policy, requester.user) for order in opening.mails]
        return save_opened_ticket(ticket, requester, request, opening, mails, now)

    def save_customer_message(
        self,
        ticket: Ticket,
        author: User,
        text: str,
        channel: str,
        now: datetime,
        resumed: ResumedClock | None,
        **blobs: Any,
    ) -> Any:
        from shared.storage.tickets import save_customer_message

        return save_customer_message(ticket, author, text, channel, now, resumed, **blobs)


def decide_opening(number: str, country: str, request: NewRequest, now: datetime, policy: Policy) -> Opening:
    """A new request's region (the account's country), priority (its impact), targets and mails."""
    support = policy.support
    region = region_for_country(country, support.region_by_country, support.default_region)
    priority = priority_for_impact(request.impact, {str(k): str(v) for k, v in support.impact_priority.items()})
    missing = tuple(missing_information(request.details))
    return Opening(
        number=number,
        region=region,
        priority=priority,
        first_response_due=first_response_due(now, priority, region, policy),
        status_update_due=next_status_update(region, now, policy),
        missing=missing,
        mails=opening_mails(number, missing, request.vague_subject, request.oversized, support.max_attachment_bytes),
    )


def open_ticket(
    requester: Requester, request: NewRequest, now: datetime, policy: Policy, store: TicketStore | None = None
) -> Ticket:
    """Open a ticket with its first message and the acknowledgement, in one transaction."""
    store = store or StoredTickets()
    number = store.next_ticket_number(now, policy)
    opening = decide_opening(number, requester.account.country, request, now, policy)
    return store.save_opened_ticket(requester, request, opening, now, policy)


def add_customer_message(
    ticket: Ticket,
    author: User,
    text: str,
    channel: str,
    now: datetime,
    *,
    attachments: tuple[IncomingAttachment, ...] = (),
    raw_mail: bytes | None = None,
    seen_key: str | None = None,
    policy: Policy | None = None,
    store: TicketStore | None = None,
    notices: NoticeStore | None = None,
) -> Any:
    """The customer adds to an open ticket; a ticket waiting for the customer resumes (its clock too).

    A solved ticket within its days reopens with the message ("still broken"), by every channel. The
    assignee's notification mail commits with the message (none if they turned it off).
    """
    from shared.policy import get_policy
    from shared.services.support.notifications import customer_replied_notices

    policy = policy or get_policy()
    resumed = resumed_clock(ticket, now, policy) if ticket.state == WAITING else None
    blobs: dict[str, Any] = {"attachments": attachments, "raw_mail": raw_mail, "seen_key": seen_key}
    if reopens(ticket, now, policy):
        blobs["reopen_status_due"] = next_status_update(ticket.region, now, policy)
    told = customer_replied_notices(ticket, now, policy, notices) if ticket.assignee_id else ()
    if told:
        blobs["notices"] = told
    return (store or StoredTickets()).save_customer_message(ticket, author, text, channel, now, resumed, **blobs)
