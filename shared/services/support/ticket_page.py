"""The desk's ticket page (issue 15 item 2): the ticket with its whole thread, time, and what may be done next.

Read only: every change on the page goes through the same services as the JSON staff routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.rules.support.ticket_page import SIDE_LABELS, offered_states, side_of
from shared.rules.ui_text import N_

NOT_OFFERED = N_("The canned reply is not one of this account's language.")


@dataclass(frozen=True)
class ThreadEntry:
    side: str  # customer, agent or internal
    label: str
    author: str
    text: str
    created_at: datetime
    attachments: list[tuple[str, str]]  # (file name, its short-lived signed download link)


@dataclass(frozen=True)
class TicketPage:
    ticket: Any
    thread: list[ThreadEntry]
    time_entries: list[Any]
    hours_logged: Decimal
    offered_states: tuple[str, ...]
    agents: list[Any]  # who it may be assigned to (agents and admins)
    hours_left: Decimal
    closed: bool
    due: datetime  # the first-response due time in the region's zone
    language: str = ""  # the account's: its canned replies are offered
    canned: tuple[Any, ...] = ()
    reply_text: str = ""  # the chosen canned reply, filled in
    canned_problem: str = ""  # why the chosen one cannot be used here


def _local(moment: datetime, region: str) -> datetime:
    from shared.services.support.queues import in_region

    return in_region(moment, region)


def ticket_page(number: str, now: datetime, agent_name: str = "", chosen: str = "") -> TicketPage | None:
    from shared.policy import get_policy
    from shared.services.staff.admin import list_members
    from shared.services.support.attachments import attachment_path
    from shared.services.support.canned import offered_replies
    from shared.services.support.process import facts_of
    from shared.services.support.queues import hours_left
    from shared.storage.support import time_entries
    from shared.storage.tickets import find_ticket, ticket_messages

    ticket = find_ticket(number)
    if ticket is None:
        return None
    policy = get_policy()
    thread = [
        ThreadEntry(
            side=side_of(message.kind),
            label=SIDE_LABELS[side_of(message.kind)],
            author=message.author,
            text=message.text,
            created_at=_local(message.created_at, ticket.region),
            attachments=[
                (str(a.get("filename") or "file"), attachment_path(ticket.number, message.message_id, i, now, policy))
                for i, a in enumerate(message.attachments or [])
            ],
        )
        for message in ticket_messages(ticket)
    ]
    entries = time_entries(ticket)
    language, canned = offered_replies(ticket, agent_name) if ticket.state != "closed" else ("", [])
    picked = next((reply for reply in canned if reply.reply_id == chosen), None) if chosen else None
    return TicketPage(
        ticket=ticket,
        thread=thread,
        time_entries=entries,
        hours_logged=sum((Decimal(entry.hours) for entry in entries), Decimal(0)).normalize(),
        offered_states=offered_states(facts_of(ticket)),
        agents=[m for m in list_members() if m.role in ("agent", "admin") and m.deactivated_at is None],
        hours_left=hours_left(ticket.first_response_due, ticket.region, now),
        closed=ticket.state == "closed",
        due=_local(ticket.first_response_due, ticket.region),
        language=language,
        canned=tuple(canned),
        reply_text=(picked.text or "") if picked else "",
        canned_problem=(picked.problem if picked else NOT_OFFERED) if chosen else "",
    )


def assignable_agent(staff_id: str) -> Any:
    """The member a ticket may be given to: an active agent or admin (a billing clerk works no tickets)."""
    from shared.storage.support import staff_member

    member = staff_member(staff_id)
    if member is None or member.role not in ("agent", "admin") or member.deactivated_at is not None:
        return None
    return member
