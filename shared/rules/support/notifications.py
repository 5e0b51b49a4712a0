"""Who on the staff hears about a ticket, and when (issue 15 item 3): pure, "now" and the facts passed in.

- The customer adds to a ticket: its assignee gets a mail, unless they turned notifications off or
  are deactivated (a mail to someone who left tells nobody anything).
- A first response falls due within the policy's support hours: the support lead gets one mail per
  ticket and due time (a due time moved by a priority change or a wait is a new risk, told again).
No message text goes into these mails: the agent reads it at the desk, where access is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shared.rules.clock import utc_iso
from shared.rules.support.opening import TicketMailOrder

CUSTOMER_REPLIED = "customer_replied"
TICKET_AT_RISK = "ticket_at_risk"


@dataclass(frozen=True)
class Listener:
    """A staff member as a notification sees them."""

    email: str
    notifications_off: bool = False
    deactivated: bool = False

    @property
    def wants_mail(self) -> bool:
        return not (self.notifications_off or self.deactivated)


def customer_replied_mail(number: str, message_id: str, assignee: Listener | None) -> TicketMailOrder | None:
    """The assignee's mail for one customer message (its id makes the mail idempotent), or None."""
    if assignee is None or not assignee.wants_mail:
        return None
    return TicketMailOrder(CUSTOMER_REPLIED, f"customer-replied-{number}-{message_id}", recipient=assignee.email)


def is_at_risk(
    first_response_at: datetime | None, due: datetime, now: datetime, hours_left: Decimal, within_hours: int
) -> bool:
    """Owed, not yet overdue (that is the escalation's), and due within `within_hours` support hours."""
    return first_response_at is None and due > now and hours_left <= within_hours


def at_risk_mail(
    number: str, due: datetime, lead: Listener, priority: str, account_id: str, assignee_name: str | None
) -> TicketMailOrder | None:
    """The lead's mail for this ticket and due time; None if the lead turned notifications off."""
    if not lead.wants_mail:
        return None
    extra = {"priority": priority, "account_id": account_id, "agent_name": assignee_name or ""}
    return TicketMailOrder(TICKET_AT_RISK, at_risk_mail_id(number, due), recipient=lead.email, extra=extra)


def at_risk_mail_id(number: str, due: datetime) -> str:
    """One event per ticket and due time: the outbox refuses a second mail with this id."""
    return f"at-risk-{number}-{utc_iso(due).replace(':', '').replace('-', '')}"
