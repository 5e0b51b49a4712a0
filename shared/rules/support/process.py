"""What a ticket's state change does (SPEC §6): decided from plain facts, applied by storage.

`state_change` says whether the change is allowed and which effects it has; the service
commits them (state, clock, watches, mails) in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.rules.support.states import WAITING, transition_problem


class StateChangeRefused(ValueError):
    """The change is not allowed in the ticket's state; the message says why."""


@dataclass(frozen=True)
class TicketFacts:
    """What the decision reads of a ticket."""

    state: str
    needs_authorization: bool = False
    authorized: bool = False
    assigned: bool = False
    first_responded: bool = False


@dataclass(frozen=True)
class StateChange:
    """The effects of moving a ticket from `current` to `wanted`; each flag is one write or mail."""

    current: str
    wanted: str
    resumes_clock: bool = False  # leaving "waiting": the waited support hours extend the target
    watches_first_response_again: bool = False  # back to work before any answer: the watch returns
    stops_first_response_watch: bool = False  # waiting for the customer: the clock stops
    starts_work: bool = False  # the customer learns who is working on it
    takes_assignment: bool = False  # nobody was assigned: the agent who starts takes it
    solves: bool = False  # solved: closes later by itself, status updates stop, hours are reported
    closes: bool = False  # closed: every watch goes
    reopens: bool = False  # solved → in progress: no closing, status updates again


def state_change(ticket: TicketFacts, wanted: str) -> StateChange:
    """The effects of the change, or StateChangeRefused saying why it is not allowed."""
    problem = transition_problem(ticket.state, wanted)
    if problem:
        raise StateChangeRefused(problem)
    if wanted == "in_progress" and ticket.needs_authorization and not ticket.authorized:
        raise StateChangeRefused("this ticket waits for the customer's authorization before work starts")
    leaves_waiting = ticket.state == WAITING
    starts_work = wanted == "in_progress" and ticket.state in ("new", "assigned")
    return StateChange(
        current=ticket.state,
        wanted=wanted,
        resumes_clock=leaves_waiting,
        watches_first_response_again=leaves_waiting and not ticket.first_responded and wanted == "in_progress",
        stops_first_response_watch=wanted == WAITING,
        starts_work=starts_work,
        takes_assignment=starts_work and not ticket.assigned,
        solves=wanted == "solved",
        closes=wanted == "closed",
        reopens=ticket.state == "solved" and wanted == "in_progress",
    )
