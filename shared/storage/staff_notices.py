"""The staff's notification mails on stored tickets: who listens, the at-risk tickets, and writing a notice.

The decisions (who, when, which mail) are shared/rules/support/notifications.py's; here only the
reads and the one transaction that marks a ticket "lead told for this due time" with its mail.
"""

from __future__ import annotations

from datetime import datetime

from shared.rules.clock import utc_iso
from shared.rules.support.notifications import Listener
from shared.storage.db import ConditionFailed, transaction
from shared.storage.keys.accounts import STAFF_SK, staff_key
from shared.storage.models import StaffMember, Ticket
from shared.storage.outbox import MailToStore, outbox_mail, save_mails
from shared.storage.tokens import STAFF_LOOKUP_KEY

# The states in which a first response can still be owed (waiting for the customer stops the clock).
OWING_STATES = ("new", "assigned", "in_progress")


def _listener(member: StaffMember) -> Listener:
    return Listener(
        email=member.email,
        notifications_off=bool(member.notifications_off),
        deactivated=member.deactivated_at is not None,
    )


def listener(staff_id: str | None) -> Listener | None:
    if not staff_id:
        return None
    try:
        return _listener(StaffMember.get(staff_key(staff_id), STAFF_SK))
    except StaffMember.DoesNotExist:
        return None


def listener_by_email(email: str) -> Listener:
    """The support lead's address; a member with it may have turned the mails off (else: they get them)."""
    for item in StaffMember.lookup_index.query(STAFF_LOOKUP_KEY):
        if isinstance(item, StaffMember) and item.email.lower() == email.lower():
            return _listener(item)
    return Listener(email=email)


def set_notifications_off(staff_id: str, off: bool) -> None:
    StaffMember(staff_key(staff_id), STAFF_SK).update(
        actions=[StaffMember.notifications_off.set(off)], condition=StaffMember.pk.exists()
    )


def tickets_due_between(start: datetime, end: datetime) -> list[Ticket]:
    """Tickets whose queue due time lies in [start, end]: one Query per owing state on the queue index."""
    found: list[Ticket] = []
    for state in OWING_STATES:
        condition = Ticket.queue_due.between(utc_iso(start), utc_iso(end))
        found += [item for item in Ticket.queue_index.query(state, condition) if isinstance(item, Ticket)]
    return found


def save_at_risk_notice(ticket: Ticket, mail: MailToStore, now: datetime) -> bool:
    """Mark the ticket told for its due time and store the (composed) mail, together; False if already told."""
    due = utc_iso(ticket.first_response_due)
    told_before = Ticket.at_risk_noticed_due.exists() & (Ticket.at_risk_noticed_due == due)
    try:
        with transaction() as tx:
            tx.update(
                ticket,
                actions=[Ticket.at_risk_noticed_due.set(due)],
                condition=~told_before & Ticket.first_response_at.does_not_exist(),
            )
            save_mails(tx, [outbox_mail(mail)], now)
    except ConditionFailed:
        return False
    return True
