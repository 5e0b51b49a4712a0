"""Authorization of changes: the people an account names, the signed requests mailed to them, the approval.

Each request has its own id; only the links of the latest request approve, and each approves once.
"""

from __future__ import annotations

from datetime import datetime

from shared.policy import Policy
from shared.rules.identity import new_id
from shared.rules.signing import Keyring, Purpose, link_token
from shared.storage.db import transaction
from shared.storage.keys import support as keys
from shared.storage.models import Authorizer, CocoonItem, Ticket, account_pk
from shared.storage.support import ProcessError, decision_link_expiry, ticket_account
from shared.storage.ticket_mails import ticket_mail


class AlreadyDecided(Exception):
    """A link that decides something was used already: it decides once, so nothing changes."""


class LinkSuperseded(Exception):
    """A newer authorization request replaced the one this link was mailed for."""


def authorization_token(
    ticket_number: str, authorizer_id: str, request_id: str, expires_at: datetime, keyring: Keyring
) -> str:
    """The link id is the authorization request's id: a later request on the ticket voids this link."""
    return link_token(keyring, Purpose.AUTHORIZATION, (ticket_number, authorizer_id), request_id, expires_at)


def authorizers(account_id: str) -> list[Authorizer]:
    return [
        i
        for i in Authorizer.query(account_pk(account_id), Authorizer.sk.startswith(keys.AUTHORIZER_PREFIX))
        if isinstance(i, Authorizer)
    ]


def authorizer(account_id: str, authorizer_id: str) -> Authorizer | None:
    try:
        return Authorizer.get(account_pk(account_id), keys.authorizer_sk(authorizer_id))
    except Authorizer.DoesNotExist:
        return None


def add_authorizer(account_id: str, authorizer_id: str, name: str, email: str) -> None:
    Authorizer(
        account_pk(account_id),
        keys.authorizer_sk(authorizer_id),
        account_id=account_id,
        authorizer_id=authorizer_id,
        name=name,
        email=email,
    ).save()


def require_authorization(ticket: Ticket, now: datetime, policy: Policy) -> int:
    """Mark the ticket as waiting for approval and mail each named authorizer a signed link.

    Each call is a new request with its own id: only the links of the latest request approve.
    """
    from shared.secrets import link_keyring
    from shared.settings import get_settings

    account = ticket_account(ticket)
    people = authorizers(account.account_id)
    if not people:
        raise ProcessError("the account has named nobody who can authorize changes")
    settings = get_settings()
    keyring = link_keyring()
    request_id = new_id("req_")
    expires_at = decision_link_expiry(now, policy)
    with transaction() as tx:
        tx.update(
            ticket,
            actions=[
                Ticket.needs_authorization.set(True),
                Ticket.authorization_request_id.set(request_id),
                Ticket.authorized_at.remove(),
                Ticket.authorized_by.remove(),
                Ticket.authorized_by_id.remove(),
                Ticket.authorized_link_id.remove(),
            ],
        )
        for person in people:
            token = authorization_token(ticket.number, person.authorizer_id, request_id, expires_at, keyring)
            link = (
                f"{settings.public_url}/authorizations/{ticket.number}?authorizer={person.authorizer_id}&token={token}"
            )
            tx.save(
                ticket_mail(
                    ticket,
                    account,
                    "authorization_request",
                    f"authorize-{ticket.number}-{person.authorizer_id}-{now.strftime('%Y%m%d%H%M%S')}",
                    now,
                    policy,
                    recipient=person.email,
                    link=link,
                    authorizer_name=person.name,
                ),
                condition=CocoonItem.pk.does_not_exist(),
            )
    return len(people)


def authorize(ticket: Ticket, person: Authorizer, request_id: str, now: datetime) -> None:
    """Record the approval of request `request_id` (the link's id) once, with its time, person and link.

    Raises LinkSuperseded if the ticket now waits for another request (or none), AlreadyDecided if
    this request was approved already; either way nothing changes.
    """
    from pynamodb.exceptions import UpdateError

    try:
        ticket.update(
            actions=[
                Ticket.authorized_at.set(now),
                Ticket.authorized_by.set(person.name),
                Ticket.authorized_by_id.set(person.authorizer_id),
                Ticket.authorized_link_id.set(request_id),
            ],
            condition=(Ticket.needs_authorization == True)  # noqa: E712 - a DynamoDB condition, not a truth test
            & (Ticket.authorization_request_id == request_id)
            & Ticket.authorized_at.does_not_exist(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        ticket.refresh(consistent_read=True)
        if ticket.needs_authorization and ticket.authorization_request_id == request_id:
            raise AlreadyDecided(f"this change was already authorized by {ticket.authorized_by}") from exc
        raise LinkSuperseded("a newer authorization request replaced this one") from exc
