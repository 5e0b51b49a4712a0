"""Addresses we stop mailing, by what stopped them (SPEC §12): an address failure stops all mail, a
complaint only automatic mail, for the policy's days. One item per address (`SuppressedAddress`)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DeleteError

from shared.rules.identity import email_key
from shared.rules.limits import a_complaint_stops
from shared.storage.models import SuppressedAddress

ALL_MAIL = "all"
AUTOMATIC_MAIL = "automatic"


def suppression_key(address: str) -> tuple[str, str]:
    return f"SUPPRESS#{email_key(address)}", "SUPPRESS"


def suppress(
    address: str,
    reason: str,
    now: datetime,
    *,
    source: str,
    event_kind: str | None = None,
    diagnostic: str | None = None,
) -> None:
    """Stop all mail to the address; `source` says who decided ("inbound-dsn", "ses-bounce", "staff"),
    `event_kind` and `diagnostic` what staff see of why."""
    pk, sk = suppression_key(address)
    SuppressedAddress(
        pk, sk, reason=reason, since=now, source=source, event_kind=event_kind, diagnostic=diagnostic
    ).save()


def lift_suppression(address: str) -> bool:
    """Mail the address again (staff found the stop wrong, or it is over). False: it was not stopped."""
    try:
        SuppressedAddress(*suppression_key(address)).delete(condition=SuppressedAddress.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def suppression_of(address: str) -> SuppressedAddress | None:
    """The address's suppression as it stands (read consistently: a lift or a new stop counts at once)."""
    try:
        return SuppressedAddress.get(*suppression_key(address), consistent_read=True)
    except SuppressedAddress.DoesNotExist:
        return None


def is_in_force(item: SuppressedAddress, now: datetime) -> bool:
    """A complaint's stop ends at `until`; any other stop lasts until staff lift it."""
    return item.until is None or now < item.until


def stops_all_mail(item: SuppressedAddress) -> bool:
    """Items without a scope predate complaints: they were all address failures."""
    return (item.scope or ALL_MAIL) == ALL_MAIL


def mail_stopped(address: str, template: str | None, now: datetime) -> bool:
    """Whether a mail of `template` to `address` must not go out now."""
    item = suppression_of(address)
    if item is None or not is_in_force(item, now):
        return False
    return stops_all_mail(item) or a_complaint_stops(template)


def address_failure_stop(
    address: str, reason: str, at: datetime, *, source: str, diagnostic: str | None, mail_id: str | None
) -> SuppressedAddress:
    """The item that stops all mail to an address that does not exist (saved by the caller)."""
    return SuppressedAddress(
        *suppression_key(address),
        reason=reason,
        since=at,
        source=source,
        scope=ALL_MAIL,
        event_kind="bounce",
        diagnostic=diagnostic,
        mail_id=mail_id,
    )


def complaint_stop(
    address: str, reason: str, at: datetime, until: datetime, *, mail_id: str | None
) -> SuppressedAddress:
    """The item that stops automatic mail after a complaint, until `until` (saved by the caller, who keeps
    a stop of all mail in place: see `complaint_may_replace`)."""
    return SuppressedAddress(
        *suppression_key(address),
        reason=reason,
        since=at,
        source="ses-complaint",
        scope=AUTOMATIC_MAIL,
        until=until,
        event_kind="complaint",
        mail_id=mail_id,
    )


def complaint_may_replace(existing: SuppressedAddress | None, now: datetime) -> bool:
    """A complaint renews a complaint's stop; it never weakens a stop of all mail that is in force."""
    return existing is None or not stops_all_mail(existing) or not is_in_force(existing, now)
