"""Staff members for `cocoon staff list|revoke|remove`: who they are, and stopping their tokens.

A revoked member stays (their name is on tickets and reports) but no token
issued until the revocation works; a removed member is deleted with their
tokens. Either stops at the member's next request: the middleware reads the
member on every staff request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.storage.keys.accounts import STAFF_SK, TOKEN_SK, staff_key, token_key
from shared.storage.models import ApiToken, StaffMember
from shared.storage.tokens import STAFF_LOOKUP_KEY


class UnknownStaffMember(LookupError):
    """No staff member has this id."""


@dataclass(frozen=True)
class StaffListing:
    """What `staff list` shows of a member: never a token, nor a hash of one."""

    staff_id: str
    role: str
    created_at: datetime
    last_used_on: str | None  # the latest day any of their tokens was used
    tokens_revoked_at: datetime | None


def list_staff() -> list[StaffListing]:
    members = [item for item in StaffMember.lookup_index.query(STAFF_LOOKUP_KEY) if isinstance(item, StaffMember)]
    hashes = [hashed for member in members for hashed in member.token_hashes or []]
    last_used: dict[str, str] = {}
    for token in ApiToken.batch_get([(token_key(hashed), TOKEN_SK) for hashed in hashes]):
        if token.staff_id and token.last_used_on:
            last_used[token.staff_id] = max(last_used.get(token.staff_id, ""), token.last_used_on)
    listings = [
        StaffListing(
            staff_id=member.staff_id,
            role=member.role,
            created_at=member.created_at,
            last_used_on=last_used.get(member.staff_id),
            tokens_revoked_at=member.tokens_revoked_at,
        )
        for member in members
    ]
    return sorted(listings, key=lambda listing: (listing.created_at, listing.staff_id))


def _member(staff_id: str) -> StaffMember:
    try:
        return StaffMember.get(staff_key(staff_id), STAFF_SK, consistent_read=True)
    except StaffMember.DoesNotExist as exc:
        raise UnknownStaffMember(staff_id) from exc


def revoke_staff_tokens(staff_id: str, now: datetime) -> int:
    """Stop every token of the member: the known ones are deleted, any other issued until now is refused.

    Returns how many token items were deleted.
    """
    from shared.storage.db import transaction

    member = _member(staff_id)
    hashes = sorted(set(member.token_hashes or []))
    with transaction() as tx:
        tx.update(
            member,
            actions=[StaffMember.tokens_revoked_at.set(now), StaffMember.token_hashes.set([])],
            condition=StaffMember.pk.exists(),
        )
        for hashed in hashes:
            tx.delete(ApiToken(token_key(hashed), TOKEN_SK))
    return len(hashes)


def remove_staff_member(staff_id: str) -> int:
    """Delete the member and their tokens together; returns how many token items were deleted."""
    from shared.storage.db import transaction

    member = _member(staff_id)
    hashes = sorted(set(member.token_hashes or []))
    with transaction() as tx:
        tx.delete(member, condition=StaffMember.pk.exists())
        for hashed in hashes:
            tx.delete(ApiToken(token_key(hashed), TOKEN_SK))
    return len(hashes)
