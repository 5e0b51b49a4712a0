"""Every item key of web sessions and their sign-in links: built here only.

Only hashes of the session id and of the link token are keys: a copy of the table opens no session.
"""

from __future__ import annotations

SESSION_SK = "SESSION"
SIGN_IN_LINK_SK = "LINK"


def session_key(scope: str, hashed_id: str) -> str:
    return f"SESSION#{scope}#{hashed_id}"


def sessions_of_subject_key(scope: str, subject_id: str) -> str:
    """The lookup key every session of one member carries, so "sign out everywhere" finds them without a Scan."""
    return f"SESSIONS#{scope}#{subject_id}"


def sign_in_link_key(scope: str, hashed_token: str) -> str:
    return f"SIGNIN#{scope}#{hashed_token}"
