"""Staff members as the desk reads and administers them: lookup by e-mail, role, deactivation, revocations.

Members are few: finding one by e-mail is the Query of the `STAFF` lookup key that `staff list` uses
(no Scan). Every read is consistent where a decision follows (sign-in, each request).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import UpdateError

from shared.rules.identity import normalize_email
from shared.storage.keys.accounts import STAFF_SK, TOKEN_SK, staff_key, token_key
from shared.storage.models import ApiToken, StaffMember
from shared.storage.tokens import STAFF_LOOKUP_KEY


class StaffMemberGone(LookupError):
    """No staff member has this id (any more)."""


def all_members() -> list[StaffMember]:
    return [item for item in StaffMember.lookup_index.query(STAFF_LOOKUP_KEY) if isinstance(item, StaffMember)]


def member_by_email(address: str) -> StaffMember | None:
    wanted = normalize_email(address)
    matches = [member for member in all_members() if normalize_email(member.email) == wanted]
    # The index lags: read the member itself again before anything is decided.
    return get_member(matches[0].staff_id) if len(matches) == 1 else None


def get_member(staff_id: str) -> StaffMember | None:
    try:
        return StaffMember.get(staff_key(staff_id), STAFF_SK, consistent_read=True)
    except StaffMember.DoesNotExist:
        return None


def _update(staff_id: str, actions: list[object]) -> None:
    try:
        StaffMember(staff_key(staff_id), STAFF_SK).update(actions=actions, condition=StaffMember.pk.exists())  # type: ignore[arg-type]
    except UpdateError as exc:
        raise StaffMemberGone(staff_id) from exc


def revoke_sessions(staff_id: str, now: datetime) -> None:
    _update(staff_id, [StaffMember.sessions_revoked_at.set(now)])


def set_desk_language(staff_id: str, language: str) -> None:
    """The member's chosen desk UI language (raises StaffMemberGone for a removed member)."""
    _update(staff_id, [StaffMember.desk_language.set(language)])


def change_role(staff_id: str, role: str) -> None:
    """The member's role, and their tokens' (the middleware reads a token's role), in one transaction."""
    from shared.storage.db import ConditionFailed, transaction

    member = get_member(staff_id)
    if member is None:
        raise StaffMemberGone(staff_id)
    try:
        with transaction() as tx:
            tx.update(member, actions=[StaffMember.role.set(role)], condition=StaffMember.pk.exists())
            for hashed in sorted(set(member.token_hashes or [])):
                tx.update(
                    ApiToken(token_key(hashed), TOKEN_SK),
                    actions=[ApiToken.role.set(role)],
                    condition=ApiToken.pk.exists(),
                )
    except ConditionFailed as exc:
        raise StaffMemberGone(staff_id) from exc


def deactivate(staff_id: str, now: datetime) -> None:
    """Deactivated at `now`: no session, no token of the member works any more; the member stays (tickets name them)."""
    from shared.storage.staff import revoke_staff_tokens

    _update(staff_id, [StaffMember.deactivated_at.set(now), StaffMember.sessions_revoked_at.set(now)])
    revoke_staff_tokens(staff_id, now)


def add_member_with_mail(name: str, email: str, role: str, now: datetime, mail: object) -> StaffMember:
    """A new member (no token: they sign in at the desk) and their invitation mail, in one transaction."""
    from shared.rules.identity import new_id
    from shared.storage.outbox import commit_with_mails

    staff_id = new_id("staff_")
    member = StaffMember(
        staff_key(staff_id),
        STAFF_SK,
        staff_id=staff_id,
        name=name,
        email=email,
        role=role,
        created_at=now,
        token_hashes=[],
        lookup_key=STAFF_LOOKUP_KEY,
    )

    def write(tx: object) -> None:
        tx.save(member, condition=StaffMember.pk.does_not_exist())  # type: ignore[attr-defined]

    commit_with_mails(write, [mail], now)  # type: ignore[list-item]
    return member
