"""When a session ends: idle timeout, absolute lifetime, revocation. Pure: "now" is passed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SessionVerdict(StrEnum):
    LIVE = "live"
    IDLE = "idle"  # no request for longer than the idle timeout
    EXPIRED = "expired"  # older than the absolute lifetime
    REVOKED = "revoked"  # opened before the subject's sessions were revoked (sign out everywhere, removal)


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta
    touch_every: timedelta  # the last request is written at most this often


def session_verdict(
    created_at: datetime,
    last_seen_at: datetime,
    now: datetime,
    limits: SessionLimits,
    revoked_since: datetime | None = None,
) -> SessionVerdict:
    """Whether a stored session still admits its bearer at `now` (fail closed: the first reason to end wins)."""
    if revoked_since is not None and created_at <= revoked_since:
        return SessionVerdict.REVOKED
    if now >= created_at + limits.absolute or now < created_at - limits.touch_every:
        return SessionVerdict.EXPIRED
    # A touch is skipped within `touch_every`, so the stored moment may lag that much behind the last request.
    if now >= last_seen_at + limits.idle:
        return SessionVerdict.IDLE
    return SessionVerdict.LIVE


def needs_touch(last_seen_at: datetime, now: datetime, limits: SessionLimits) -> bool:
    return now - last_seen_at >= limits.touch_every


def session_expiry(created_at: datetime, limits: SessionLimits) -> datetime:
    """When DynamoDB's TTL may delete the item: it never admits anyone after its absolute lifetime."""
    return created_at + limits.absolute
