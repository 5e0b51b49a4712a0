"""Which accounts are live, which organizations we serve, which roles staff have: one place each."""

from __future__ import annotations

from collections.abc import Collection
from typing import Final, Literal, get_args

# An account that may use the service: its tokens work, its contacts reach support, its e-mail is taken.
AccountState = Literal["pending_verification", "trial", "customer", "deactivated"]
ACCOUNT_STATES: Final = get_args(AccountState)
LIVE_STATES: Final = frozenset({"trial", "customer"})

# Who may sign up (SPEC §2): businesses and public bodies, never consumers.
OrganizationType = Literal["company", "public_institution"]
ORGANIZATION_TYPES: Final = get_args(OrganizationType)

# Staff roles; an admin may do what any role may.
StaffRole = Literal["agent", "billing", "admin"]
STAFF_ROLES: Final = get_args(StaffRole)


def is_live(state: str | None) -> bool:
    """Fail closed: an unknown, missing or future state is not live."""
    return state in LIVE_STATES


def is_suspended(suspended_by: Collection[str] | None) -> bool:
    """Unpaid past the last dunning level (SPEC §15): suspended while any such invoice is unpaid."""
    return bool(suspended_by)


def is_known_organization_type(organization_type: str | None) -> bool:
    return organization_type in ORGANIZATION_TYPES
