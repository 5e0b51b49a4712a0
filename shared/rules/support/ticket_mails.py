"""The process's own mails about a ticket, as orders (template, idempotent mail id, recipient, extras): pure.

The id of each names its event, so the outbox's "does not exist" condition makes a second mail for
the same event impossible: work started once, escalated once, one status update per minute, one
closed-ticket notice per sender and day, one authorization request per authorizer and second.
"""

from __future__ import annotations

from datetime import date, datetime

from shared.rules.support.opening import TicketMailOrder


def work_started_mail(number: str, agent_name: str) -> TicketMailOrder:
    """Starting work: the customer learns who is working on it."""
    return TicketMailOrder("ticket_in_progress", f"ticket-started-{number}", extra={"agent_name": agent_name})


def escalation_mail(number: str, lead_email: str, priority: str, account_id: str) -> TicketMailOrder:
    """The first response is overdue: the support lead hears of it, once per ticket."""
    return TicketMailOrder(
        "escalation",
        f"escalation-{number}",
        recipient=lead_email,
        extra={"priority": priority, "account_id": account_id},
    )


def status_update_mail(number: str, state: str, development_ticket: str | None, now: datetime) -> TicketMailOrder:
    """No public update for N working days: where the ticket stands (its state in words)."""
    return TicketMailOrder(
        "ticket_status_update",
        f"status-update-{number}-{now.strftime('%Y%m%d%H%M')}",
        extra={"state": state.replace("_", " "), "development_ticket": development_ticket or ""},
    )


def closed_notice_mail(number: str, sender: str, sender_key: str, day: date) -> TicketMailOrder:
    """A mail to a closed ticket: the sender (`sender_key` names them in the id) is told once a day."""
    return TicketMailOrder(
        "ticket_closed_notice", f"closed-notice-{number}-{sender_key[:12]}-{day:%Y%m%d}", recipient=sender
    )


def authorization_request_mail(
    number: str, authorizer_id: str, authorizer_name: str, email: str, link: str, now: datetime
) -> TicketMailOrder:
    """A named authorizer's signed link to approve the change the ticket asks for."""
    return TicketMailOrder(
        "authorization_request",
        f"authorize-{number}-{authorizer_id}-{now.strftime('%Y%m%d%H%M%S')}",
        recipient=email,
        extra={"link": link, "authorizer_name": authorizer_name},
    )


def solved_mail(number: str, rating_links: dict[str, str], reopen_days: int, now: datetime) -> TicketMailOrder:
    """The ticket is solved: the requester may reopen it within its days, or rate it by one click (issue 16).

    One mail per solving (a reopened ticket solved again gets a new one); the links name the verdict.
    """
    return TicketMailOrder(
        "ticket_solved",
        f"ticket-solved-{number}-{now.strftime('%Y%m%d%H%M%S')}",
        extra={"good_link": rating_links["good"], "bad_link": rating_links["bad"], "reopen_days": reopen_days},
    )
