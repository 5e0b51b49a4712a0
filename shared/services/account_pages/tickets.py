"""My tickets (issue 16 item 3): a contact sees their own tickets, the admin the company's; nobody another's.

The thread never shows internal notes (storage's customer view, which names the kinds a customer
may see); replying, and reopening a solved ticket within its days, go through the same service
as mail and the API (shared/services/support/tickets.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from shared.services.account_pages.viewer import Viewer

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import Ticket


class TicketNotTaken(Exception):
    """Closed, or solved too long ago: a new request is needed."""


def may_see(viewer: Viewer, ticket: Any) -> bool:
    if ticket is None or ticket.account_id != viewer.account_id:
        return False
    return viewer.is_admin or ticket.requester_user_id == viewer.user_id


def visible_tickets(viewer: Viewer) -> list[Ticket]:
    from shared.storage.customer_pages import account_tickets

    return [ticket for ticket in account_tickets(viewer.account_id) if may_see(viewer, ticket)]


def visible_ticket(viewer: Viewer, number: str) -> Ticket | None:
    """The ticket if the viewer may see it; another account's, or a colleague's for a user, is None."""
    from shared.storage.tickets import find_ticket

    ticket = find_ticket(number)
    return ticket if may_see(viewer, ticket) else None


def thread(ticket: Ticket) -> dict[str, Any]:
    """The ticket as the customer sees it: requests and our public replies, no internal notes."""
    from shared.storage.tickets import ticket_messages
    from shared.storage.views import ticket_view

    return ticket_view(ticket, ticket_messages(ticket))


def can_reopen(ticket: Ticket, now: datetime, policy: Policy) -> bool:
    from shared.services.support.tickets import reopens

    return reopens(ticket, now, policy)


def reply(viewer: Viewer, ticket: Ticket, text: str, now: datetime, policy: Policy) -> None:
    """The contact writes to the ticket; a solved one within its days reopens (TicketNotTaken otherwise)."""
    from shared.services.support.tickets import add_customer_message, takes_customer_message
    from shared.storage.customer_pages import account_contact
    from shared.storage.db import ConditionFailed

    found = account_contact(viewer.account_id, viewer.user_id)
    if found is None or not takes_customer_message(ticket, now, policy):
        raise TicketNotTaken()
    try:
        add_customer_message(ticket, found[1], text, "web", now, policy=policy)
    except ConditionFailed as exc:
        raise TicketNotTaken() from exc


def open_my_request(viewer: Viewer, form: Any, now: datetime, policy: Policy) -> Ticket:
    """A new request of the signed-in contact, through the app's intake path (the account is known).

    The requester is always the viewer: an address in the form is replaced, so nobody files in a
    colleague's name. TicketNotTaken when the contact is gone meanwhile.
    """
    from shared.services.support.requests import open_request
    from shared.storage.customer_pages import account_contact

    found = account_contact(viewer.account_id, viewer.user_id)
    if found is None:
        raise TicketNotTaken()
    account, user = found
    own = form.model_copy(update={"email": user.email})
    ticket, _requester, _channel = open_request(own, account, None, now, policy)
    return ticket


def upload(viewer: Viewer, ticket: Ticket, filename: str, content: bytes, text: str, now: datetime,
           policy: Policy) -> None:
    """A screenshot or log for the ticket, as a customer message with the file attached (stored as a mail's
    attachments are). UploadRefused (the rule's) stores nothing; TicketNotTaken when it takes no message."""
    from shared.rules.support.uploads import upload_type
    from shared.services.support.tickets import add_customer_message, takes_customer_message
    from shared.storage.customer_pages import account_contact
    from shared.storage.db import ConditionFailed
    from shared.storage.tickets import IncomingAttachment

    content_type = upload_type(filename, len(content), policy.support.max_attachment_bytes, policy.support.upload_types)
    found = account_contact(viewer.account_id, viewer.user_id)
    if found is None or not takes_customer_message(ticket, now, policy):
        raise TicketNotTaken()
    attachment = IncomingAttachment(filename=filename, content_type=content_type, content=content)
    try:
        add_customer_message(ticket, found[1], text or filename, "web", now, attachments=(attachment,), policy=policy)
    except ConditionFailed as exc:
        raise TicketNotTaken() from exc
