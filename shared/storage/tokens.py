"""Bearer tokens: created once, stored as hashes, looked up by hash."""

from __future__ import annotations

from datetime import datetime

from shared.api.context import Principal
from shared.rules.identity import hashes_match, new_id, new_secret_token, token_hash
from shared.storage.models import ApiToken, StaffMember

TENANT_TOKEN_PREFIX = "ck"  # noqa: S105 - a prefix, not a secret
STAFF_TOKEN_PREFIX = "cs"  # noqa: S105 - a prefix, not a secret
STAFF_ROLES = ("agent", "billing", "admin")


def token_key(hashed: str) -> str:
    return f"TOKEN#{hashed}"


def new_tenant_token(account_id: str, now: datetime) -> tuple[str, ApiToken]:
    """A new admin token of an account (not yet saved): the plain token is shown once, only the hash is kept."""
    token = new_secret_token(TENANT_TOKEN_PREFIX)
    item = ApiToken(
        token_key(token_hash(token)), "TOKEN", kind="tenant", account_id=account_id, role="admin", created_at=now
    )
    return token, item


def principal_for_token(token: str) -> Principal | None:
    hashed = token_hash(token)
    try:
        item = ApiToken.get(token_key(hashed), "TOKEN")
    except ApiToken.DoesNotExist:
        return None
    # The key lookup already matched; the constant-time check guards against a store that matched loosely.
    if not hashes_match(item.pk.removeprefix("TOKEN#"), token):
        return None
    return Principal(kind=item.kind, role=item.role, account_id=item.account_id, staff_id=item.staff_id)


def add_staff_member(name: str, email: str, role: str, now: datetime) -> tuple[StaffMember, str]:
    """Create a staff member and their token; the token is returned once and never stored in plain."""
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
    from shared.storage.db import transaction

    staff_id = new_id("staff_")
    member = StaffMember(
        f"STAFF#{staff_id}", "STAFF", staff_id=staff_id, name=name, email=email, role=role, created_at=now
    )
    token = new_secret_token(STAFF_TOKEN_PREFIX)
    record = ApiToken(token_key(token_hash(token)), "TOKEN", kind="staff", staff_id=staff_id, role=role, created_at=now)
    with transaction() as tx:
        tx.save(member, condition=StaffMember.pk.does_not_exist())
        tx.save(record, condition=ApiToken.pk.does_not_exist())
    return member, token
