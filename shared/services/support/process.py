"""The support process on a ticket: state changes decided by the rules, committed by storage in one go.

The ticket's own reads and writes go through a `ProcessStore` (storage by default; an
in-memory fake in the unit tests).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from shared.rules.support.process import StateChange, StateChangeRefused, TicketFacts, state_change
from shared.services.support.errors import ProcessError

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import StaffMember, Ticket


class ProcessStore(Protocol):
    def apply_state_change(
        self, ticket: Ticket, change: StateChange, agent: StaffMember, now: datetime, policy: Policy
    ) -> None: ...


class StoredProcess:
    """The process store on DynamoDB."""

    def apply_state_change(
        self, ticket: Ticket, change: StateChange, agent: StaffMember, now: datetime, policy: Policy
    ) -> None:
        from shared.rules.support.ticket_mails import solved_mail, work_started_mail
        from shared.services.support.clock import next_status_update, resumed_clock
        from shared.services.support.mails import ordered_mail
        from shared.services.support.rating import rating_links
        from shared.services.support.reports import draft_report
        from shared.storage.support import apply_state_change, ticket_account

        # The change's times, its service report and mails are decided here; storage writes them with the change.
        resumed = resumed_clock(ticket, now, policy) if change.resumes_clock else None
        following = next_status_update(ticket.region, now, policy) if change.reopens else None
        account = ticket_account(ticket)
        report = draft_report(ticket, account, now, policy) if change.solves else None
        orders = [work_started_mail(ticket.number, ticket.assignee_name or agent.name)] if change.starts_work else []
        if report is not None:
            orders.append(report.mail)
        if change.solves:  # the requester may reopen within its days, or rate it by a link (issue 16)
            links = rating_links(ticket.number, now, policy)
            orders.append(solved_mail(ticket.number, links, policy.support.closed_ticket_closes_after_days, now))
        mails = [ordered_mail(ticket, account, order, now, policy) for order in orders]
        apply_state_change(
            ticket, change, agent, now, policy, resumed=resumed, status_update_due=following, report=report, mails=mails
        )


def facts_of(ticket: Ticket) -> TicketFacts:
    return TicketFacts(
        state=ticket.state,
        needs_authorization=bool(ticket.needs_authorization),
        authorized=ticket.authorized_at is not None,
        assigned=ticket.assignee_id is not None,
        first_responded=ticket.first_response_at is not None,
    )


def change_state(
    ticket: Ticket,
    wanted: str,
    agent: StaffMember,
    now: datetime,
    policy: Policy,
    store: ProcessStore | None = None,
) -> StateChange:
    """Move the ticket to `wanted` with every effect at once; ProcessError if the process does not allow it."""
    try:
        change = state_change(facts_of(ticket), wanted)
    except StateChangeRefused as exc:
        raise ProcessError(str(exc)) from exc
    (store or StoredProcess()).apply_state_change(ticket, change, agent, now, policy)
    return change
