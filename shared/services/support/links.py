"""What customers do through signed links: see and decide a service report, approve a change.

The token is checked before any read, so a guess learns nothing; a signed link that is not the
one we mailed for this report or request is as invalid as a forged one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.storage.models import Authorizer, ServiceReport


class InvalidLink(Exception):
    """Forged, for another purpose or object, or not the link we mailed."""


class LinkExpired(Exception):
    def __init__(self, expires_at: datetime) -> None:
        super().__init__("link expired")
        self.expires_at = expires_at


class NotFound(Exception):
    """The signed link names something that no longer exists."""


class NotAnAuthorizer(Exception):
    """The person the link was mailed to may no longer authorize changes."""


def checked_report(report_id: str, token: str, now: datetime) -> tuple[ServiceReport, Any]:
    """The report and its link's claim."""
    from shared.rules.signing import Purpose, read_link_token
    from shared.secrets import link_keyring
    from shared.storage.support import find_report

    claim = read_link_token(link_keyring(), Purpose.SERVICE_REPORT, (report_id,), token) if token else None
    if claim is None:
        raise InvalidLink()
    report = find_report(report_id)
    if report is None:
        raise NotFound()
    if report.link_id != claim.link_id:
        raise InvalidLink()  # signed, but not the link we mailed for this report
    if claim.expired(now):
        raise LinkExpired(claim.expires_at)
    return report, claim


def approve_change(number: str, authorizer_id: str, token: str, now: datetime) -> Authorizer:
    """A named person approves the change a ticket asks for, once, through the latest request's link.

    AlreadyDecided and LinkSuperseded (shared/services/support/errors.py) when the link was used or replaced.
    """
    from shared.rules.signing import Purpose, read_link_token
    from shared.secrets import link_keyring
    from shared.services.support.errors import AlreadyDecided, LinkSuperseded
    from shared.storage.authorizations import ApprovedBefore, RequestReplaced, authorize, authorizer
    from shared.storage.tickets import find_ticket

    claim = (
        read_link_token(link_keyring(), Purpose.AUTHORIZATION, (number, authorizer_id), token) if token else None
    )
    if claim is None:
        raise InvalidLink()
    ticket = find_ticket(number)
    if ticket is None:
        raise NotFound()
    person = authorizer(ticket.account_id, authorizer_id)
    if person is None:
        raise NotAnAuthorizer()
    if claim.expired(now):
        raise LinkExpired(claim.expires_at)
    try:
        authorize(ticket, person, claim.link_id, now)
    except ApprovedBefore as exc:
        raise AlreadyDecided(f"this change was already authorized by {exc.authorized_by}") from exc
    except RequestReplaced as exc:
        raise LinkSuperseded("a newer authorization request replaced this one") from exc
    return person


def name_authorizer(account_id: str, name: str, email: str) -> tuple[str, str]:
    """An account names a person whose approval its tickets may wait for: (their id, the address)."""
    from shared.rules.identity import normalize_email, user_id_for_email
    from shared.storage.authorizations import add_authorizer

    address = normalize_email(email)
    authorizer_id = user_id_for_email(address)
    add_authorizer(account_id, authorizer_id, name, address)
    return authorizer_id, address
