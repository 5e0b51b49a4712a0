"""The staff desk's use cases on a ticket: assignment, priority, replies, notes, time, development links.

Who may do what and the times each change sets are decided here; storage writes them in one go.
A change to a closed ticket is refused (TicketClosed), also when it was closed while the agent typed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from shared.rules.identity import new_id
from shared.rules.support.opening import TicketMailOrder, reply_mail
from shared.services.support.clock import first_response_due, next_status_update

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import StaffMember, Ticket

CLOSED = "closed"


class TicketClosed(Exception):
    """The ticket is closed (or was closed meanwhile): nothing was written, nothing mailed."""


def _refuse_closed(ticket: Ticket) -> None:
    if ticket.state == CLOSED:
        raise TicketClosed()


def _closed_meanwhile(write: Any) -> Any:
    """Run a storage write conditioned on the ticket being open; its refusal becomes TicketClosed."""
    from shared.storage.db import ConditionFailed

    try:
        return write()
    except ConditionFailed as exc:
        raise TicketClosed() from exc


def assign(ticket: Ticket, agent: StaffMember) -> None:
    """A new ticket becomes assigned; an assigned or worked one only changes hands."""
    from shared.storage import support

    _refuse_closed(ticket)
    _closed_meanwhile(lambda: support.assign(ticket, agent, moves_to_assigned=ticket.state == "new"))


def set_priority(ticket: Ticket, priority: str, policy: Policy) -> datetime:
    """The due time is recomputed from the receipt (pauses included); closed tickets keep theirs."""
    from shared.storage import support

    _refuse_closed(ticket)
    paused = Decimal(ticket.paused_hours or "0")
    due = first_response_due(ticket.received_at, priority, ticket.region, policy, paused)
    _closed_meanwhile(lambda: support.set_priority(ticket, priority, due))
    return due


class ReplyStore(Protocol):
    """Where a reply is written; storage's function, or a fake in unit tests."""

    def save_reply(
        self,
        ticket: Ticket,
        author: str,
        text: str,
        message_id: str,
        mail_order: TicketMailOrder,
        status_update_due: datetime,
        now: datetime,
        policy: Policy,
    ) -> Any: ...


class StoredReplies:
    """The reply store on DynamoDB: the reply's mail is composed here, storage writes it with the message."""

    def save_reply(
        self,
        ticket: Ticket,
        author: str,
        text: str,
        message_id: str,
        mail_order: TicketMailOrder,
        status_update_due: datetime,
        now: datetime,
        policy: Policy,
    ) -> Any:
        from shared.services.support.mails import ordered_mail
        from shared.storage import support

        mail = ordered_mail(ticket, support.ticket_account(ticket), mail_order, now, policy)
        return support.save_reply(ticket, author, text, message_id, mail, status_update_due, now)


def reply(
    ticket: Ticket, agent: StaffMember, text: str, now: datetime, policy: Policy, store: ReplyStore | None = None
) -> Any:
    """A public answer: mailed to the requester with the tag; the first one meets the response target."""
    store = store or StoredReplies()
    _refuse_closed(ticket)
    message_id = new_id("msg_")
    mail = reply_mail(ticket.number, message_id, agent.name, text)
    following = next_status_update(ticket.region, now, policy)
    writer = store
    return _closed_meanwhile(
        lambda: writer.save_reply(ticket, agent.name, text, message_id, mail, following, now, policy)
    )


def note(ticket: Ticket, agent: StaffMember, text: str, now: datetime) -> Any:
    """An internal note: kept on the ticket, never mailed, never shown to the customer."""
    from shared.storage import support

    return support.note(ticket, agent, text, now)


def log_time(ticket: Ticket, agent: StaffMember, hours: Decimal, description: str, now: datetime) -> Any:
    from shared.storage import support

    return support.log_time(ticket, agent, hours, description, now)


def link_development(ticket: Ticket, kind: str, reference: str | None) -> str:
    """Without a reference of its own, the development ticket is named after the support ticket."""
    from shared.storage import support

    reference = reference or f"DEV-{ticket.number}"
    support.link_development(ticket, kind, reference)
    return reference


def mark_enhancement(ticket: Ticket) -> None:
    from shared.storage import support

    support.mark_enhancement(ticket)
