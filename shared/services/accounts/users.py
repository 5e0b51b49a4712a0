"""The admin activates and deactivates users (SPEC §3); each change keeps its seat event for billing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.services.accounts.errors import AdminNotDeactivatable


@dataclass(frozen=True)
class AccountUser:
    """A user as the account's admin sees it."""

    user_id: str
    email: str
    name: str
    role: str
    active: bool


def _value(user: Any) -> AccountUser:
    return AccountUser(user.user_id, user.email, user.name, user.role, bool(user.active))


def activate_user(account_id: str, address: str, name: str, now: datetime) -> tuple[AccountUser, bool]:
    """Activate a person (again: the same address is the same user); whether anything changed."""
    from shared.storage.lifecycle import activate_user as record_activation

    user, changed = record_activation(account_id, address, name, now)
    return _value(user), changed


def deactivate_user(account_id: str, user_id: str, now: datetime) -> AccountUser | None:
    """Deactivate a user; None if the account has no such user. Deactivating twice changes nothing."""
    from shared.storage.lifecycle import get_user, record_user_deactivation

    user = get_user(account_id, user_id)
    if user is None:
        return None
    if not user.active:
        return _value(user)
    if user.role == "admin":
        raise AdminNotDeactivatable("the account's admin cannot be deactivated")
    return _value(record_user_deactivation(user, now))
