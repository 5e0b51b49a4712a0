"""Asking a ticket's account to authorize a change: a new request, each named person mailed a signed link.

Each call is a new request with its own id: only the links of the latest request approve (the link
id is the request's id), and each approves once (shared/services/support/links.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.rules.identity import new_id
from shared.rules.signing import Keyring, Purpose, link_token
from shared.rules.support.links import decision_link_expiry
from shared.rules.support.ticket_mails import authorization_request_mail
from shared.services.support.errors import ProcessError

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import Ticket


def authorization_token(
    ticket_number: str, authorizer_id: str, request_id: str, expires_at: datetime, keyring: Keyring
) -> str:
    """The link id is the authorization request's id: a later request on the ticket voids this link."""
    return link_token(keyring, Purpose.AUTHORIZATION, (ticket_number, authorizer_id), request_id, expires_at)


def require_authorization(ticket: Ticket, now: datetime, policy: Policy) -> int:
    """Mark the ticket as waiting for approval and mail each named authorizer a signed link; how many.

    ProcessError if the account named nobody; ConditionFailed if this request was mailed this second.
    """
    from shared.secrets import link_keyring
    from shared.services.support.mails import ordered_mail
    from shared.settings import get_settings
    from shared.storage.authorizations import authorizers, save_authorization_request
    from shared.storage.support import ticket_account

    account = ticket_account(ticket)
    people = authorizers(account.account_id)
    if not people:
        raise ProcessError("the account has named nobody who can authorize changes")
    settings = get_settings()
    keyring = link_keyring()
    request_id = new_id("req_")
    expires_at = decision_link_expiry(now, policy.support.decision_link_days)
    mails = []
    for person in people:
        token = authorization_token(ticket.number, person.authorizer_id, request_id, expires_at, keyring)
        link = f"{settings.public_url}/authorizations/{ticket.number}?authorizer={person.authorizer_id}&token={token}"
        order = authorization_request_mail(ticket.number, person.authorizer_id, person.name, person.email, link, now)
        mails.append(ordered_mail(ticket, account, order, now, policy))
    save_authorization_request(ticket, request_id, mails)
    return len(people)
