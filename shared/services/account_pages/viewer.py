"""Who looks at the customer pages: one contact of one account, the admin or a user (issue 16)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.services.sessions.customer import ADMIN_ROLE, parts_of
from shared.services.sessions.service import Subject


class NotTheAdmin(Exception):
    """A contact asked for what only the account's admin may do or see."""


@dataclass(frozen=True)
class Viewer:
    account_id: str
    user_id: str
    name: str
    is_admin: bool

    def must_be_admin(self) -> None:
        if not self.is_admin:
            raise NotTheAdmin()


def viewer_of(subject: Subject) -> Viewer:
    parts = parts_of(subject.subject_id)
    if parts is None:  # the session service only admits subjects it built: never happens, fail closed
        raise NotTheAdmin()
    return Viewer(account_id=parts[0], user_id=parts[1], name=subject.name, is_admin=subject.role == ADMIN_ROLE)


def account_language(viewer: Viewer) -> str | None:
    """The account's language: the pages' default when the contact chose none."""
    from shared.storage.accounts import get_account

    account = get_account(viewer.account_id)
    return account.language if account is not None else None
