"""What the customer pages read: an account's contact by id, and the account's tickets (issue 16).

Reads only; every read is consistent, so a deactivated contact or a closed ticket shows at once.
"""

from __future__ import annotations

from shared.storage.accounts import get_account
from shared.storage.keys import support as keys
from shared.storage.keys.accounts import user_sk
from shared.storage.models import Account, Ticket, User, account_pk


def account_contact(account_id: str, user_id: str) -> tuple[Account, User] | None:
    """The account and its active user, or None (unknown, removed or deactivated)."""
    account = get_account(account_id)
    if account is None:
        return None
    try:
        user = User.get(account_pk(account_id), user_sk(user_id), consistent_read=True)
    except User.DoesNotExist:
        return None
    return (account, user) if user.active else None


def account_tickets(account_id: str) -> list[Ticket]:
    """Every ticket of the account, newest first (its messages share the prefix and are skipped)."""
    found = [
        item
        for item in Ticket.query(account_pk(account_id), Ticket.sk.startswith(keys.ticket_sk("")), consistent_read=True)
        if isinstance(item, Ticket)
    ]
    return sorted(found, key=lambda ticket: ticket.received_at, reverse=True)


def remove_authorizer(account_id: str, authorizer_id: str) -> bool:
    """Delete the person the account named; False when it names no such person (nothing deleted)."""
    from pynamodb.exceptions import DeleteError

    from shared.storage.models import Authorizer

    try:
        Authorizer(account_pk(account_id), keys.authorizer_sk(authorizer_id)).delete(condition=Authorizer.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
