"""Hourly counters: automatic mails per recipient, web-form tickets per sender address and client IP.

A counter is one small item per address (hashed) and clock hour, expiring by TTL an hour after its
hour ends: nothing about a stranger is kept beyond a hash for about two hours. A counter only grows
under a condition ("below the limit"), so two requests at the same moment cannot both take the last slot.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.policy import Policy
from shared.rules.identity import email_key
from shared.rules.limits import hour_window, seconds_until_next_window
from shared.storage.models import RateCounter

RATE_PREFIX = "RATE#"
_KEPT_AFTER_WINDOW = timedelta(hours=1)
# A request without a client IP (an invocation that is not API Gateway's) shares one bucket: fail closed.
UNKNOWN_CLIENT = "unknown"


class RateLimited(Exception):
    """Over an hourly limit: `field` names what was counted, `retry_after` the seconds until the next hour."""

    def __init__(self, field: str, retry_after: int) -> None:
        super().__init__(f"hourly limit reached for {field}")
        self.field = field
        self.retry_after = retry_after


def _expiry(now: datetime) -> datetime:
    start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return start + timedelta(hours=1) + _KEPT_AFTER_WINDOW


def counter_pk(kind: str, hashed: str, now: datetime) -> str:
    return f"{RATE_PREFIX}{kind}#{hashed}#{hour_window(now)}"


def mail_counter_pk(recipient: str, now: datetime) -> str:
    return counter_pk("MAIL", email_key(recipient), now)


def client_hash(source_ip: str | None) -> str:
    """A keyed hash of the client's IP: an IPv4 address is too few bits to hide behind a plain hash."""
    from shared.secrets import link_keyring

    # The current link key: after a rotation the hashes change, which only restarts this hour's count.
    key = link_keyring().current.secret.encode("utf-8")
    return hmac.new(key, f"client-ip:{source_ip or UNKNOWN_CLIENT}".encode(), hashlib.sha256).hexdigest()


def grow(tx: Any, pk: str, by: int, limit: int, now: datetime) -> None:
    """Add `by` to the counter in transaction `tx`, refused (ConditionFailed on pk) if it would pass `limit`."""
    tx.update(
        RateCounter(pk, "RATE"),
        actions=[RateCounter.value.add(by), RateCounter.expires_at.set(_expiry(now))],
        condition=RateCounter.value.does_not_exist() | (RateCounter.value <= limit - by),
    )


def current_count(pk: str) -> int:
    try:
        return int(RateCounter.get(pk, "RATE", consistent_read=True).value or 0)
    except RateCounter.DoesNotExist:
        return 0


@dataclass(frozen=True)
class _Slot:
    field: str
    pk: str
    limit: int


def take_web_form_slot(address: str, source_ip: str | None, now: datetime, policy: Policy) -> None:
    """Count one web-form request for the address and the client IP (one request); raise RateLimited beyond."""
    from shared.storage.db import ConditionFailed, transaction

    limits = policy.support
    slots = (
        _Slot("client_ip", counter_pk("FORM-IP", client_hash(source_ip), now), limits.web_form_tickets_per_ip_per_hour),
        _Slot("email", counter_pk("FORM-EMAIL", email_key(address), now), limits.web_form_tickets_per_address_per_hour),
    )
    try:
        with transaction() as tx:
            for slot in slots:
                grow(tx, slot.pk, 1, slot.limit, now)
    except ConditionFailed as exc:
        refused = {pk for pk, _ in exc.refused}
        field = next(slot.field for slot in slots if slot.pk in refused)
        raise RateLimited(field, seconds_until_next_window(now)) from exc
