"""Authorization of changes in storage: the people an account names, the request's write, the approval.

Each request has its own id; only the links of the latest request approve, and each approves once.
The request's links and mails are the service's (shared/services/support/authorizations.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shared.storage.db import transaction
from shared.storage.errors import StorageError
from shared.storage.keys import support as keys
from shared.storage.models import Authorizer, CocoonItem, Ticket, account_pk
from shared.storage.outbox import MailToStore, outbox_mail


class ApprovedBefore(StorageError):
    """The request was approved already: the approval is written once, so nothing changed."""

    def __init__(self, authorized_by: str | None) -> None:
        super().__init__("the request was approved already")
        self.authorized_by = authorized_by


class RequestReplaced(StorageError):
    """The ticket waits for another authorization request (or none): nothing changed."""


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


def save_authorization_request(ticket: Ticket, request_id: str, mails: Sequence[MailToStore]) -> None:
    """The ticket waits for approval of request `request_id`; each authorizer's (composed) mail, at once.

    ConditionFailed if a mail of the same id exists (the same request mailed this very second).
    """
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
        for mail in mails:
            tx.save(outbox_mail(mail), condition=CocoonItem.pk.does_not_exist())


def authorize(ticket: Ticket, person: Authorizer, request_id: str, now: datetime) -> None:
    """Record the approval of request `request_id` (the link's id) once, with its time, person and link.

    Raises RequestReplaced if the ticket now waits for another request (or none), ApprovedBefore if
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
            raise ApprovedBefore(ticket.authorized_by) from exc
        raise RequestReplaced() from exc
