"""The customer pages' scope of the session service (issue 16): an account's admin and contacts sign in.

The same mechanism as the desk, another scope: another cookie, other item keys, other subjects.
A subject is one contact of one account (`<account id>:<user id>`), so a session names its
account and can never be turned into another's; it is read again on every request, so a
deactivated contact or an account that is no longer live stops at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.rules.sessions.lifetime import SessionLimits
from shared.services.sessions.service import SessionService, SignInMail, Subject
from shared.services.sessions.store import DynamoSessionStore

CUSTOMER_SCOPE = "account"
SIGN_IN_TEMPLATE = "account_sign_in"
ADMIN_ROLE = "admin"


def subject_id_of(account_id: str, user_id: str) -> str:
    return f"{account_id}:{user_id}"


def parts_of(subject_id: str) -> tuple[str, str] | None:
    account_id, sep, user_id = subject_id.partition(":")
    return (account_id, user_id) if sep and account_id and user_id else None


def _subject(account: Any, user: Any) -> Subject | None:
    from shared.rules.accounts.states import is_live

    if account is None or user is None or not user.active or not is_live(account.state):
        return None
    is_admin = user.role == ADMIN_ROLE
    return Subject(
        subject_id=subject_id_of(account.account_id, user.user_id),
        email=user.email,
        name=user.name,
        role=ADMIN_ROLE if is_admin else "user",
    )


class CustomerSubjects:
    def by_email(self, email: str) -> Subject | None:
        from shared.storage.tickets import find_requester

        found = find_requester(email)
        return None if found is None else _subject(found.account, found.user)

    def by_id(self, subject_id: str) -> Subject | None:
        from shared.storage.customer_pages import account_contact

        parts = parts_of(subject_id)
        found = account_contact(*parts) if parts else None
        return None if found is None else _subject(*found)

    def revoke_sessions(self, subject_id: str, now: datetime) -> None:
        return  # the service deletes every session of the subject; no token outlives it


class CustomerSessionStore(DynamoSessionStore):
    """The desk's store in the customer scope; the sign-in mail goes in the account's language."""

    def save_link(
        self, hashed_token: str, subject_id: str, now: datetime, valid_until: datetime, mail: SignInMail
    ) -> None:
        from shared.policy import get_policy
        from shared.rules.accounts.language import reader_language
        from shared.storage.accounts import get_account
        from shared.storage.contact_language import chosen_language

        parts = parts_of(subject_id)
        account = get_account(parts[0]) if parts else None
        language = account.language if account is not None else self._language
        if parts:  # the contact's own choice of language first (issue 16)
            language = reader_language(chosen_language(*parts), language, get_policy().languages) or language
        DynamoSessionStore(self._scope, self._template, language).save_link(
            hashed_token, subject_id, now, valid_until, mail
        )


def customer_sessions() -> SessionService:
    from shared.policy import get_policy
    from shared.settings import get_settings

    policy, settings = get_policy(), get_settings()
    limits = policy.desk  # the same session rules as the desk (policy.toml [desk])
    return SessionService(
        stage=settings.stage,
        subjects=CustomerSubjects(),
        store=CustomerSessionStore(CUSTOMER_SCOPE, SIGN_IN_TEMPLATE, policy.fallback_language),
        limits=SessionLimits(
            idle=timedelta(minutes=limits.session_idle_minutes),
            absolute=timedelta(hours=limits.session_absolute_hours),
            touch_every=timedelta(seconds=limits.session_touch_seconds),
        ),
        link_lifetime=timedelta(minutes=limits.sign_in_link_minutes),
        confirm_url=f"{settings.public_url}/account/sign-in/confirm",
    )
