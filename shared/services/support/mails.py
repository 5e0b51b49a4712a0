"""Composing every mail about a ticket: the context each ticket template gets, and the tag in each subject.

The rules decide which mail (shared/rules/support/: template, id, recipient, extras); this composes
it, and storage stores the composed value as it is in the transaction of its cause.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.mail.compose import ComposedMail, compose_mail
from shared.rules.support.opening import TicketMailOrder
from shared.rules.tickets import ticket_tag

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import Account, Ticket, User


def ticket_mail_context(ticket: Ticket, account: Account, policy: Policy, **extra: Any) -> dict[str, Any]:
    from shared.derived import support_calendar

    zone = support_calendar(ticket.region).zone
    return {
        "company_name": account.company_name,
        "requester_name": ticket.requester_name,
        "number": ticket.number,
        "tag": ticket_tag(ticket.number),
        "subject": ticket.subject,
        "first_response_due": ticket.first_response_due.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z"),
        "region": ticket.region,
        "support_hours": _support_hours_text(ticket.region, policy),
        # The templates word the hours in the reader's language from these (support_hours is English).
        "support_opens": f"{policy.support.regions[ticket.region].opens:%H:%M}",
        "support_closes": f"{policy.support.regions[ticket.region].closes:%H:%M}",
        "support_time_zone": policy.support.regions[ticket.region].time_zone,
        **extra,
    }


def _support_hours_text(region: str, policy: Policy) -> str:
    hours = policy.support.regions[region]
    return (
        f"Monday to Friday {hours.opens:%H:%M}–{hours.closes:%H:%M} ({hours.time_zone}), "
        "except public holidays in Munich"
    )


def ticket_mail(
    ticket: Ticket,
    account: Account,
    template: str,
    mail_id: str,
    now: datetime,
    policy: Policy,
    recipient: str | None = None,
    requester: User | None = None,
    **extra: Any,
) -> ComposedMail:
    """A mail about a ticket: its subject always carries the tag (the template's subject + tag).

    `requester`: the requester's user record when the caller has just read it (a new request), so their
    language is not read a second time."""
    return compose_mail(
        mail_id=mail_id,
        account_id=account.account_id,
        recipient=recipient or ticket.requester_email,
        template=template,
        language=_recipient_language(ticket, account, recipient, policy, requester),
        context=ticket_mail_context(ticket, account, policy, **extra),
        now=now,
        subject_tag=ticket.number,
    )


def _recipient_language(
    ticket: Ticket, account: Account, recipient: str | None, policy: Policy, requester: User | None
) -> str:
    """The requester reads their own choice of language (issue 16); anyone else the account's."""
    from shared.rules.accounts.language import reader_language

    if recipient not in (None, ticket.requester_email):
        return account.language
    chosen: str | None
    if requester is not None and requester.user_id == ticket.requester_user_id:
        chosen = requester.language
    else:
        from shared.storage.contact_language import chosen_language

        chosen = chosen_language(ticket.account_id, ticket.requester_user_id)
    return reader_language(chosen, account.language, policy.languages) or account.language


def ordered_mail(
    ticket: Ticket,
    account: Account,
    order: TicketMailOrder,
    now: datetime,
    policy: Policy,
    requester: User | None = None,
) -> ComposedMail:
    """The composed mail a rule decided on (template, id, recipient, extras)."""
    return ticket_mail(
        ticket,
        account,
        order.template,
        order.mail_id,
        now,
        policy,
        recipient=order.recipient,
        requester=requester,
        **order.extra,
    )
