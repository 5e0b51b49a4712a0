"""What the desk's ticket page offers (issue 15 item 2): the state changes the process allows, who wrote what.

Only the changes `state_change` would accept are offered, so a button never leads to a refusal
(the service checks again: the page may be stale).
"""

from __future__ import annotations

from shared.rules.support.process import StateChange, StateChangeRefused, TicketFacts, state_change
from shared.rules.support.states import TRANSITIONS
from shared.rules.ui_text import N_

# Who a message is from, as the thread shows it: the customer, an agent's public reply, or internal.
SIDES = {"request": "customer", "reply": "agent", "note": "internal"}
SIDE_LABELS = {
    "customer": N_("Customer"),
    "agent": N_("Agent reply (mailed)"),
    "internal": N_("Internal note (never mailed)"),
}
STATE_ORDER = ("assigned", "in_progress", "waiting_for_customer", "solved", "closed")


def side_of(kind: str) -> str:
    """A kind we do not know is shown as internal: fail closed, it was never meant for the customer."""
    return SIDES.get(kind, "internal")


def offered_states(facts: TicketFacts) -> tuple[str, ...]:
    offered: list[str] = []
    for wanted in STATE_ORDER:
        if wanted not in TRANSITIONS.get(facts.state, frozenset()):
            continue
        try:
            change: StateChange = state_change(facts, wanted)
        except StateChangeRefused:
            continue
        offered.append(change.wanted)
    return tuple(offered)
