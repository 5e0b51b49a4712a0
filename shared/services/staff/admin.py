"""Add a member (with an invitation mail), change a role, deactivate, revoke sessions and tokens.

Each change stops what it must at once: the middleware reads the member (and the desk its session)
on every request, so a deactivated member's live session and tokens are refused at the next one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.rules.accounts.states import STAFF_ROLES
from shared.rules.identity import normalize_email

INVITATION_TEMPLATE = "staff_invitation"


class StaffError(Exception):
    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


def _check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise StaffError("invalid_role", "role", f"role must be one of {', '.join(STAFF_ROLES)}")


def list_members() -> list[Any]:
    from shared.storage.staff_desk import all_members

    return sorted(all_members(), key=lambda member: (member.created_at, member.staff_id))


def add_member(name: str, email: str, role: str, now: datetime) -> Any:
    from shared.mail.compose import compose_mail
    from shared.policy import get_policy
    from shared.settings import get_settings
    from shared.storage.outbox import outbox_mail
    from shared.storage.staff_desk import add_member_with_mail, member_by_email

    _check_role(role)
    address = normalize_email(email)
    if member_by_email(address) is not None:
        raise StaffError("staff_exists", "email", "A staff member with this e-mail address exists.")
    mail = outbox_mail(compose_mail(
        mail_id=f"staff-invite-{normalize_email(address).encode().hex()[:40]}-{int(now.timestamp())}",
        account_id=None,
        recipient=address,
        template=INVITATION_TEMPLATE,
        language=get_policy().fallback_language,
        context={"name": name, "role": role, "desk_url": f"{get_settings().public_url}/desk"},
        now=now,
    ))
    return add_member_with_mail(name, address, role, now, mail)


def _known(staff_id: str) -> None:
    from shared.storage.staff_desk import get_member

    if get_member(staff_id) is None:
        raise StaffError("staff_not_found", "staff_id", "No staff member has this id.")


def change_role(staff_id: str, role: str) -> None:
    from shared.storage.staff_desk import StaffMemberGone
    from shared.storage.staff_desk import change_role as store_role

    _check_role(role)
    try:
        store_role(staff_id, role)
    except StaffMemberGone as exc:
        raise StaffError("staff_not_found", "staff_id", "No staff member has this id.") from exc


def revoke_access(staff_id: str, now: datetime) -> int:
    """Every desk session and every token of the member stop now; the member stays and may sign in again.

    Returns how many token items were deleted (the CLI says so).
    """
    from shared.services.sessions.desk import desk_sessions
    from shared.storage.staff import revoke_staff_tokens

    _known(staff_id)
    desk_sessions().sign_out_everywhere(staff_id, now)
    return revoke_staff_tokens(staff_id, now)


def add_member_with_token(name: str, email: str, role: str, now: datetime) -> tuple[Any, str]:
    """A member for scripts (`cocoon staff add`): created with an API token, shown once; no invitation mail."""
    from shared.storage.tokens import add_staff_member

    _check_role(role)
    return add_staff_member(name, email, role, now)


def member_listings() -> list[Any]:
    """Ids, roles and dates of every member, never a token or an address (`cocoon staff list`)."""
    from shared.storage.staff import list_staff

    return list_staff()


def remove_member(staff_id: str) -> int:
    """Delete the member with their tokens and desk sessions; returns how many token items were deleted."""
    from shared.storage.db import ConditionFailed
    from shared.storage.sessions import delete_sessions_of
    from shared.storage.staff import UnknownStaffMember, remove_staff_member

    try:
        count = remove_staff_member(staff_id)
    except (UnknownStaffMember, ConditionFailed) as exc:
        raise StaffError("staff_not_found", "staff_id", "No staff member has this id.") from exc
    delete_sessions_of("desk", staff_id)
    return count


def deactivate(staff_id: str, now: datetime) -> None:
    from shared.storage.sessions import delete_sessions_of
    from shared.storage.staff_desk import deactivate as store_deactivate

    _known(staff_id)
    store_deactivate(staff_id, now)
    delete_sessions_of("desk", staff_id)
