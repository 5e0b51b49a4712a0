"""Support requests from the web form, the app and the phone: who may ask, then the one intake path.

The app's token names the account (the requester is the given contact, or the admin); the web
form names an address, counted against the hourly limits before it is looked up, so strangers
count too and learn nothing. A phone request is recorded by staff for a known contact.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import Account, Ticket
    from shared.storage.tickets import Requester


class NotAContact(Exception):
    """The app named an address that is not an active user of the account."""


class EmailRequired(Exception):
    """The web form came without an address: there is nobody to answer."""


class NotEligible(Exception):
    """The address is no contact of a live business account: nothing was stored."""


class TicketClosed(Exception):
    """The customer wrote to a closed ticket (or it was closed meanwhile); a new request is needed."""


def _requester(form: Any, account: Account | None, source_ip: str | None, now: datetime, policy: Policy) -> Requester:
    from shared.storage.rate_limits import take_web_form_slot
    from shared.storage.tickets import Requester, admin_user, contact_of, find_requester

    if account is not None:  # the app's Support button: the token names the account
        user = contact_of(account, str(form.email)) if form.email else admin_user(account)
        if user is None:
            raise NotAContact()
        return Requester(account, user)
    if form.email is None:
        raise EmailRequired()
    # Counted before the address is looked up (strangers count too): only hashes are kept, for an hour.
    take_web_form_slot(str(form.email), source_ip, now, policy)  # RateLimited when over
    found = find_requester(str(form.email))
    if found is None:
        raise NotEligible()
    return found


def open_request(
    form: Any, account: Account | None, source_ip: str | None, now: datetime, policy: Policy
) -> tuple[Ticket, Requester, str]:
    """Open a ticket from the app (`account` given) or the web form: (ticket, requester, channel)."""
    from shared.services.support.tickets import open_ticket
    from shared.storage.tickets import request_from_form

    requester = _requester(form, account, source_ip, now, policy)
    channel = "app" if account is not None else "form"
    return open_ticket(requester, request_from_form(form, channel), now, policy), requester, channel


def record_phone_request(form: Any, now: datetime, policy: Policy) -> Ticket:
    """Staff type in a request that came by phone, for a contact of a live business account."""
    from shared.services.support.tickets import open_ticket
    from shared.storage.tickets import find_requester, request_from_form

    requester = find_requester(str(form.email))
    if requester is None:
        raise NotEligible()
    return open_ticket(requester, request_from_form(form, "phone"), now, policy)


def own_ticket(number: str, account_id: str | None) -> Ticket | None:
    """The account's ticket; another account's is None, as if it did not exist."""
    from shared.storage.tickets import find_ticket

    ticket = find_ticket(number)
    if ticket is None or account_id is None or ticket.account_id != account_id:
        return None
    return ticket


def add_app_message(ticket: Ticket, account: Account, text: str, now: datetime) -> None:
    """The app adds to an open ticket as the account's admin; a solved one reopens, a closed one does not."""
    from shared.policy import get_policy
    from shared.services.support.tickets import add_customer_message, takes_customer_message
    from shared.storage.db import ConditionFailed
    from shared.storage.tickets import admin_user

    if not takes_customer_message(ticket, now, get_policy()):
        raise TicketClosed()
    try:
        add_customer_message(ticket, admin_user(account), text, "app", now)
    except ConditionFailed as exc:
        raise TicketClosed("closed meanwhile") from exc


def ticket_json(ticket: Ticket, *, with_messages: bool = True) -> dict[str, Any]:
    """The customer's view of a ticket (with its messages unless just opened)."""
    from shared.storage.tickets import ticket_messages
    from shared.storage.views import ticket_view

    return ticket_view(ticket, ticket_messages(ticket) if with_messages else [])
