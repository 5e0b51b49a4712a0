"""Bearer tokens: created once, stored as hashes, looked up by hash.

Every request reads its token (and a staff token's member) again, with a
consistent read and no cache: a rotated, revoked or removed token stops at the
next request, not a cache lifetime later.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError

from shared.rules.accounts.principal import Principal
from shared.rules.accounts.states import LIVE_STATES, STAFF_ROLES
from shared.rules.identity import hashes_match, new_id, new_secret_token, token_hash
from shared.storage.keys.accounts import ACCOUNT_SK, STAFF_SK, TOKEN_SK, staff_key, token_hash_of_key, token_key
from shared.storage.models import ApiToken, StaffMember

TENANT_TOKEN_PREFIX = "ck"  # noqa: S105 - a prefix, not a secret
STAFF_TOKEN_PREFIX = "cs"  # noqa: S105 - a prefix, not a secret
STAFF_LOOKUP_KEY = "STAFF"  # every member carries it, so `cocoon staff list` is a Query, not a Scan


def new_tenant_token(account_id: str, now: datetime) -> tuple[str, ApiToken]:
    """A new admin token of an account (not yet saved): the plain token is shown once, only the hash is kept."""
    token = new_secret_token(TENANT_TOKEN_PREFIX)
    item = ApiToken(
        token_key(token_hash(token)), TOKEN_SK, kind="tenant", account_id=account_id, role="admin", created_at=now
    )
    return token, item


def principal_for_token(token: str, now: datetime | None = None) -> Principal | None:
    """Who presents this token, or None; with `now`, the token's day of last use is brought up to date."""
    hashed = token_hash(token)
    try:
        item = ApiToken.get(token_key(hashed), TOKEN_SK, consistent_read=True)
    except ApiToken.DoesNotExist:
        return None
    # The key lookup already matched; the constant-time check guards against a store that matched loosely.
    if not hashes_match(token_hash_of_key(item.pk), token):
        return None
    if item.kind == "staff" and not _member_admits(item):
        return None
    if now is not None:
        _record_use(item, now)
    return Principal(
        kind=item.kind, role=item.role, account_id=item.account_id, staff_id=item.staff_id, token_hash=hashed
    )


def _member_admits(item: ApiToken) -> bool:
    """A staff token works only while its member exists and has not had their tokens revoked since."""
    if not item.staff_id:
        return False
    try:
        member = StaffMember.get(staff_key(item.staff_id), STAFF_SK, consistent_read=True)
    except StaffMember.DoesNotExist:
        return False
    return member.tokens_revoked_at is None or item.created_at > member.tokens_revoked_at


def _record_use(item: ApiToken, now: datetime) -> None:
    """At most one write per token and day: skipped when the stored day is already today (or later)."""
    today = now.astimezone(UTC).date().isoformat()
    if item.last_used_on is not None and item.last_used_on >= today:
        return
    # Bookkeeping only: if another request recorded the day first, or the token was just revoked, so be it.
    with contextlib.suppress(UpdateError):
        item.update(
            actions=[ApiToken.last_used_on.set(today)],
            # Never recreate a token revoked meanwhile; let the first request of the day win.
            condition=ApiToken.pk.exists() & (ApiToken.last_used_on.does_not_exist() | (ApiToken.last_used_on < today)),
        )


def rotate_tenant_token(account_id: str, caller_hash: str, listed_hashes: list[str], now: datetime) -> str:
    """A new admin token for the account; the caller's token and every other listed one go in the same transaction.

    The caller's token must still exist when the transaction commits, so two rotations racing with one
    old token leave exactly one new token. Raises ConditionFailed when the caller's token is gone.
    """
    from shared.storage.db import transaction
    from shared.storage.models import Account, account_pk

    token, item = new_tenant_token(account_id, now)
    new_hash = token_hash_of_key(item.pk)
    with transaction() as tx:
        tx.save(item, condition=ApiToken.pk.does_not_exist())
        tx.delete(ApiToken(token_key(caller_hash), TOKEN_SK), condition=ApiToken.pk.exists())
        for hashed in sorted(set(listed_hashes) - {caller_hash}):
            tx.delete(ApiToken(token_key(hashed), TOKEN_SK))
        tx.update(
            Account(account_pk(account_id), ACCOUNT_SK),
            actions=[Account.token_hashes.set([new_hash])],
            condition=Account.state.is_in(*sorted(LIVE_STATES)),
        )
    return token


def add_staff_member(name: str, email: str, role: str, now: datetime) -> tuple[StaffMember, str]:
    """Create a staff member and their token; the token is returned once and never stored in plain."""
    if role not in STAFF_ROLES:
        raise ValueError(f"role must be one of {', '.join(STAFF_ROLES)}")
    from shared.storage.db import transaction

    staff_id = new_id("staff_")
    token = new_secret_token(STAFF_TOKEN_PREFIX)
    hashed = token_hash(token)
    member = StaffMember(
        staff_key(staff_id),
        STAFF_SK,
        staff_id=staff_id,
        name=name,
        email=email,
        role=role,
        created_at=now,
        token_hashes=[hashed],
        lookup_key=STAFF_LOOKUP_KEY,
    )
    record = ApiToken(token_key(hashed), TOKEN_SK, kind="staff", staff_id=staff_id, role=role, created_at=now)
    with transaction() as tx:
        tx.save(member, condition=StaffMember.pk.does_not_exist())
        tx.save(record, condition=ApiToken.pk.does_not_exist())
    return member, token
