"""A ticket's states and priorities, and which state changes the process allows (SPEC §6)."""

from __future__ import annotations

# The process (SPEC §6): new → assigned → in progress → waiting for customer → solved → closed.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"assigned", "in_progress", "waiting_for_customer", "solved", "closed"}),
    "assigned": frozenset({"in_progress", "waiting_for_customer", "solved", "closed"}),
    "in_progress": frozenset({"waiting_for_customer", "solved"}),
    "waiting_for_customer": frozenset({"in_progress", "solved"}),
    "solved": frozenset({"in_progress", "closed"}),
    "closed": frozenset(),
}
# Staff's queue shows every state but closed; the customer may still write to the open ones.
QUEUE_STATES = ("new", "assigned", "in_progress", "waiting_for_customer", "solved")
OPEN_STATES = ("new", "assigned", "in_progress", "waiting_for_customer")
# While the ticket waits for the customer its response clock stands still.
WAITING = "waiting_for_customer"

PRIORITIES = ("urgent", "high", "normal", "low")
DEFAULT_PRIORITY = "normal"


def transition_problem(current: str, wanted: str) -> str | None:
    """Why a state change is not allowed (None if it is)."""
    if wanted not in TRANSITIONS:
        return f"unknown state {wanted!r}"
    if wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (closed is final)"
        return f"a ticket that is {current} cannot become {wanted}; allowed: {allowed}"
    return None
