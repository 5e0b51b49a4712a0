"""E-mail normalisation, hashing and tokens: how Cocoon refers to people without exposing them.

Keys and logs carry hashes, never addresses, so a log line or an index key
leaks no personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def normalize_email(address: str) -> str:
    """Addresses compare case-insensitively in practice (providers ignore local-part case)."""
    return address.strip().lower()


def email_key(address: str) -> str:
    return hashlib.sha256(normalize_email(address).encode("utf-8")).hexdigest()


def new_secret_token(prefix: str) -> str:
    """A bearer token: 256 random bits, with a prefix that tells humans (and secret scanners) its kind."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hashes_match(stored_hash: str, presented_token: str) -> bool:
    """Constant-time comparison, so timing reveals nothing about stored hashes."""
    return hmac.compare_digest(stored_hash, token_hash(presented_token))


def new_id(prefix: str = "") -> str:
    return f"{prefix}{secrets.token_hex(8)}"


def user_id_for_email(address: str) -> str:
    """One user per address and account: re-activating a person is the same user, not a new one."""
    return f"usr_{email_key(address)[:16]}"
