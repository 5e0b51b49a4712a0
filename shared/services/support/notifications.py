"""The staff's notifications (issue 15 item 3): the assignee hears of a customer's message, the support
lead of a ticket at risk. The rules decide (shared/rules/support/notifications.py); a `NoticeStore`
(storage by default, an in-memory fake in the unit tests) reads the people and writes the mails.

Exactly once: the assignee's mail commits in the customer message's own transaction; the lead's
mail commits with a mark "told for this due time" on the ticket, and its id is the ticket and due
time, so a re-run or a crash of the SLA watch tells nobody twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from shared.rules.clock import utc_iso
from shared.rules.identity import new_id
from shared.rules.support.notifications import Listener, at_risk_mail, customer_replied_mail, is_at_risk
from shared.rules.support.opening import TicketMailOrder

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import Account, Ticket


class NoticeStore(Protocol):
    def listener(self, staff_id: str | None) -> Listener | None: ...
    def listener_by_email(self, email: str) -> Listener: ...
    def account(self, ticket: Ticket) -> Account: ...
    def tickets_due_between(self, start: datetime, end: datetime) -> list[Ticket]: ...
    def outbox_item(
        self, ticket: Ticket, account: Account, order: TicketMailOrder, now: datetime, policy: Policy
    ) -> Any: ...
    def save_at_risk_notice(
        self, ticket: Ticket, account: Account, order: TicketMailOrder, now: datetime, policy: Policy
    ) -> bool: ...


class StoredNotices:
    """The notice store on DynamoDB: storage's functions, imported when first used (cold start)."""

    def listener(self, staff_id: str | None) -> Listener | None:
        from shared.storage.staff_notices import listener

        return listener(staff_id)

    def listener_by_email(self, email: str) -> Listener:
        from shared.storage.staff_notices import listener_by_email

        return listener_by_email(email)

    def account(self, ticket: Ticket) -> Account:
        from shared.storage.support import ticket_account

        return ticket_account(ticket)

    def tickets_due_between(self, start: datetime, end: datetime) -> list[Ticket]:
        from shared.storage.staff_notices import tickets_due_between

        return tickets_due_between(start, end)

    def outbox_item(
        self, ticket: Ticket, account: Account, order: TicketMailOrder, now: datetime, policy: Policy
    ) -> Any:
        from shared.services.support.mails import ordered_mail

        return ordered_mail(ticket, account, order, now, policy)  # the customer message's storage writes it

    def save_at_risk_notice(
        self, ticket: Ticket, account: Account, order: TicketMailOrder, now: datetime, policy: Policy
    ) -> bool:
        from shared.services.support.mails import ordered_mail
        from shared.storage.staff_notices import save_at_risk_notice

        return save_at_risk_notice(ticket, ordered_mail(ticket, account, order, now, policy), now)


def customer_replied_notices(
    ticket: Ticket, now: datetime, policy: Policy, store: NoticeStore | None = None
) -> tuple[Any, ...]:
    """The composed mails to commit with a customer's message: the assignee's, or none."""
    store = store or StoredNotices()
    order = customer_replied_mail(ticket.number, new_id("n"), store.listener(ticket.assignee_id))
    if order is None:
        return ()
    return (store.outbox_item(ticket, store.account(ticket), order, now, policy),)


def _hours_left(ticket: Ticket, now: datetime) -> Any:
    from shared.derived import support_calendar
    from shared.rules.support_hours import support_hours_between

    return support_hours_between(now, ticket.first_response_due, support_calendar(ticket.region))


def _latest_risk_horizon(now: datetime, policy: Policy) -> datetime:
    """The latest moment any region's at-risk window reaches: one index read covers every region."""
    from shared.derived import support_calendar
    from shared.rules.support_hours import add_support_hours

    within = policy.support.at_risk_within_hours
    return max(add_support_hours(now, within, support_calendar(region)) for region in policy.support.regions)


def tickets_at_risk(now: datetime, policy: Policy, store: NoticeStore | None = None) -> list[Ticket]:
    """Open tickets whose first response is owed within the policy's support hours, by due time."""
    store = store or StoredNotices()
    within = policy.support.at_risk_within_hours
    found = [
        ticket
        for ticket in store.tickets_due_between(now, _latest_risk_horizon(now, policy))
        if is_at_risk(ticket.first_response_at, ticket.first_response_due, now, _hours_left(ticket, now), within)
    ]
    return sorted(found, key=lambda ticket: (ticket.first_response_due, ticket.number))


def tell_lead_of_risks(now: datetime, policy: Policy, store: NoticeStore | None = None) -> int:
    """The SLA watch's step: mail the support lead once per at-risk ticket and due time; how many were told."""
    store = store or StoredNotices()
    lead = store.listener_by_email(policy.support.support_lead_email)
    told = 0
    for ticket in tickets_at_risk(now, policy, store):
        order = at_risk_mail(
            ticket.number, ticket.first_response_due, lead, ticket.priority, ticket.account_id, ticket.assignee_name
        )
        if order is None or ticket.at_risk_noticed_due == utc_iso(ticket.first_response_due):
            continue
        if store.save_at_risk_notice(ticket, store.account(ticket), order, now, policy):
            told += 1
    return told


def notifications_on(staff_id: str) -> bool:
    """Whether the member gets the desk's notification mails (on unless they turned them off)."""
    from shared.storage.staff_notices import listener

    found = listener(staff_id)
    return found is not None and not found.notifications_off


def set_notifications(staff_id: str, on: bool) -> None:
    """The member's own setting: their assignee and at-risk mails stop (or start again) from the next one."""
    from shared.storage.staff_notices import set_notifications_off

    set_notifications_off(staff_id, not on)
