"""A contact's chosen language on their user record (issue 16): it survives sign-out, and mails use it."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from shared.storage.errors import StorageUnavailable, is_condition_failure
from shared.storage.keys.accounts import user_sk
from shared.storage.models import User, account_pk


def save_contact_language(account_id: str, user_id: str, language: str) -> bool:
    """Remember the choice; False when the contact is gone or deactivated (nothing written)."""
    user = User(account_pk(account_id), user_sk(user_id))
    try:
        user.update(actions=[User.language.set(language)], condition=User.pk.exists() & (User.active == True))  # noqa: E712
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise StorageUnavailable(str(exc)) from exc
    return True


def chosen_language(account_id: str, user_id: str | None) -> str | None:
    """The contact's own choice, or None (no choice, or no such contact)."""
    if not user_id:
        return None
    try:
        return User.get(account_pk(account_id), user_sk(user_id), consistent_read=True).language
    except User.DoesNotExist:
        return None
