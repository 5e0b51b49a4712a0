"""The satisfaction rating of a solved ticket (issue 16): on the ticket's page, or by a link in the solved mail.

Both ways record through `rate`, so the first rating decides whichever way it came. A link names
the ticket and the verdict, signed (shared/rules/signing.py, purpose "rating"), and is checked
before any read: a forged, truncated, flipped or other ticket's link learns nothing and writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.rules.support.rating import VERDICTS, rating_link_expiry
from shared.services.support.links import InvalidLink, LinkExpired, NotFound

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import Ticket

__all__ = ["InvalidLink", "LinkExpired", "NotFound", "NotRateable", "checked_rating_link", "rate"]


class NotRateable(Exception):
    """Not solved yet, or rated already: the first rating decides."""


def may_rate_ticket(ticket: Ticket) -> bool:
    from shared.rules.support.rating import may_rate

    return may_rate(ticket.state, ticket.solved_at, ticket.rated_at)


def rate(ticket: Ticket, rating: str, comment: str, now: datetime) -> None:
    """The customer's good/bad (and comment) for a solved ticket, once; NotRateable otherwise."""
    from shared.storage.ticket_ratings import record_rating

    if not may_rate_ticket(ticket) or not record_rating(ticket, rating, comment, now):
        raise NotRateable()


def rating_links(number: str, solved_at: datetime, policy: Policy) -> dict[str, str]:
    """The solved mail's two links (verdict → URL), one mailing's link id, valid the policy's days."""
    from shared.rules.identity import new_id
    from shared.rules.signing import Purpose, link_token
    from shared.secrets import link_keyring
    from shared.settings import get_settings

    link_id = new_id("lnk_")
    expires_at = rating_link_expiry(solved_at, policy.support.rating_link_days)
    base = f"{get_settings().public_url}/ticket-ratings/{number}"
    return {
        verdict: f"{base}?verdict={verdict}&token="
        + link_token(link_keyring(), Purpose.RATING, (number, verdict), link_id, expires_at)
        for verdict in VERDICTS
    }


def checked_rating_link(number: str, verdict: str, token: str, now: datetime) -> Ticket:
    """The ticket a genuine, unexpired rating link names: InvalidLink, NotFound or LinkExpired otherwise."""
    from shared.rules.signing import Purpose, read_link_token
    from shared.secrets import link_keyring
    from shared.storage.tickets import find_ticket

    genuine = verdict in VERDICTS and bool(token)
    claim = read_link_token(link_keyring(), Purpose.RATING, (number, verdict), token) if genuine else None
    if claim is None:
        raise InvalidLink()
    ticket = find_ticket(number)
    if ticket is None:
        raise NotFound()
    if claim.expired(now):
        raise LinkExpired(claim.expires_at)
    return ticket


def reader_language(ticket: Ticket) -> str | None:
    """The language the requester reads: their own choice, else the account's (None: the policy's fallback)."""
    from shared.policy import get_policy
    from shared.rules.accounts.language import reader_language
    from shared.storage.accounts import get_account
    from shared.storage.contact_language import chosen_language

    account = get_account(ticket.account_id)
    chosen = chosen_language(ticket.account_id, ticket.requester_user_id)
    return reader_language(chosen, account.language if account is not None else None, get_policy().languages)
