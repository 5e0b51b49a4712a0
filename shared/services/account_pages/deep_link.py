"""The in-app "Support" button's deep link (issue 16 item 3): the account pages for one contact, once, for minutes.

The app (with the account's token) asks for it; the link is a sign-in link of the customer scope
that is never mailed: a random token stored only as its hash, valid for the policy's minutes. The
customer pages' confirmation uses it once (a reuse or a late one is refused) and opens a normal
session, with the same checks as a mailed link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.policy import Policy


class NotAContact(Exception):
    """The address is no active user of the account."""


@dataclass(frozen=True)
class DeepLink:
    url: str
    valid_until: datetime


def support_link(account: Any, email: str | None, now: datetime, policy: Policy, public_url: str) -> DeepLink:
    """A single-use link for the contact with `email` (the admin when None)."""
    from shared.rules.identity import normalize_email, token_hash
    from shared.services.sessions.customer import CUSTOMER_SCOPE, subject_id_of
    from shared.services.sessions.service import LINK_TOKEN_PREFIX
    from shared.storage import sessions
    from shared.storage.tickets import contact_of

    user = contact_of(account, normalize_email(email or account.admin_email))
    if user is None:
        raise NotAContact()
    token = f"{LINK_TOKEN_PREFIX}_{secrets.token_urlsafe(32)}"
    valid_until = now + timedelta(minutes=policy.desk.support_link_minutes)
    subject_id = subject_id_of(account.account_id, user.user_id)
    link = sessions.new_sign_in_link(CUSTOMER_SCOPE, token_hash(token), subject_id, now, valid_until)
    sessions.save_link_with_mail(link, [], now)  # no mail: the app opens it at once
    return DeepLink(f"{public_url}/account/sign-in/confirm?token={token}", valid_until)
