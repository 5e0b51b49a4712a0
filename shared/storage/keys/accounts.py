"""Every item key of accounts, their users, tokens and staff: built here only.

The account's partition key itself (`ACCOUNT#<id>`) is `models.account_pk`: every subdomain's
items live in that partition, so it stays with the models they share.
"""

from __future__ import annotations

from datetime import datetime

from shared.rules.identity import email_key

ACCOUNT_SK = "ACCOUNT"
EMAIL_RESERVATION_SK = "EMAIL"
VERIFICATION_SK = "VERIFY"
TOKEN_SK = "TOKEN"  # noqa: S105 - a sort key, not a secret
STAFF_SK = "STAFF"
TOMBSTONE_SK = "TOMBSTONE"
USER_PREFIX = "USER#"
TOKEN_PREFIX = "TOKEN#"  # noqa: S105 - a key prefix, not a secret


def email_reservation_key(address: str) -> str:
    """The lock that makes an address sign up only once: keyed by its hash, never the address."""
    return f"EMAIL#{email_key(address)}"


def contact_lookup_key(address: str) -> str:
    return f"CONTACT#{email_key(address)}"


def verification_key(hashed_link_token: str) -> str:
    return f"VERIFY#{hashed_link_token}"


def user_sk(user_id: str) -> str:
    return f"{USER_PREFIX}{user_id}"


SEAT_PREFIX = "SEAT#"  # every seat event of an account (seat_sk's prefix)


def seat_sk(user_id: str, at: datetime) -> str:
    """Seat events sort by moment: billing reads a month's activations in order."""
    return f"SEAT#{at.isoformat()}#{user_id}"


def edition_sk(effective_at: datetime) -> str:
    return f"EDITION#{effective_at.isoformat()}"


def token_key(hashed: str) -> str:
    return f"{TOKEN_PREFIX}{hashed}"


def token_hash_of_key(key: str) -> str:
    return key.removeprefix(TOKEN_PREFIX)


def staff_key(staff_id: str) -> str:
    return f"STAFF#{staff_id}"


def tombstone_key(account_id: str) -> str:
    return f"TOMBSTONE#{account_id}"
