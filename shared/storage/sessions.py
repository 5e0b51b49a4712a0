"""Web sessions and sign-in links in DynamoDB: data access only (the rules are in shared/rules/sessions/).

Every read is consistent: a session signed out, or a link used, stops at the next request.
PynamoDB's errors never leave: a lost race is `SessionConflict`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError

from shared.storage.keys.sessions import (
    SESSION_SK,
    SIGN_IN_LINK_SK,
    session_key,
    sessions_of_subject_key,
    sign_in_link_key,
)
from shared.storage.session_items import SignInLink, WebSession


class SessionConflict(Exception):
    """The link was used, or the session ended, by another request meanwhile."""


def new_sign_in_link(
    scope: str, hashed_token: str, subject_id: str, now: datetime, valid_until: datetime
) -> SignInLink:
    return SignInLink(
        sign_in_link_key(scope, hashed_token),
        SIGN_IN_LINK_SK,
        scope=scope,
        subject_id=subject_id,
        created_at=now,
        valid_until=valid_until,
        expires_at=valid_until,
    )


def save_link_with_mail(link: SignInLink, mails: list[Any], now: datetime) -> None:
    """The link and its mail in one transaction: no link without its mail, no mail without its link."""
    from shared.storage.outbox import commit_with_mails

    def write(tx: Any) -> None:
        tx.save(link, condition=SignInLink.pk.does_not_exist())

    commit_with_mails(write, mails, now)


def get_link(scope: str, hashed_token: str) -> SignInLink | None:
    try:
        return SignInLink.get(sign_in_link_key(scope, hashed_token), SIGN_IN_LINK_SK, consistent_read=True)
    except SignInLink.DoesNotExist:
        return None


def new_session(
    scope: str, hashed_id: str, subject_id: str, stage: str, csrf_token: str, now: datetime, expires: datetime
) -> WebSession:
    return WebSession(
        session_key(scope, hashed_id),
        SESSION_SK,
        scope=scope,
        subject_id=subject_id,
        stage=stage,
        created_at=now,
        last_seen_at=now,
        csrf_token=csrf_token,
        second_factor_done=False,
        expires_at=expires,
        lookup_key=sessions_of_subject_key(scope, subject_id),
    )


def open_session_with_link(link: SignInLink, session: WebSession) -> None:
    """Use the link and open the session at once: the link must still be there, so it opens one session only."""
    from shared.storage.db import ConditionFailed, transaction

    try:
        with transaction() as tx:
            tx.delete(link, condition=SignInLink.pk.exists())
            tx.save(session, condition=WebSession.pk.does_not_exist())
    except ConditionFailed as exc:
        raise SessionConflict("the sign-in link was used meanwhile") from exc


def replace_session(old: WebSession, new: WebSession) -> None:
    """A new id for the same bearer (after the second factor): the old id stops in the same transaction."""
    from shared.storage.db import ConditionFailed, transaction

    try:
        with transaction() as tx:
            tx.delete(old, condition=WebSession.pk.exists())
            tx.save(new, condition=WebSession.pk.does_not_exist())
    except ConditionFailed as exc:
        raise SessionConflict("the session ended meanwhile") from exc


def get_session(scope: str, hashed_id: str) -> WebSession | None:
    try:
        return WebSession.get(session_key(scope, hashed_id), SESSION_SK, consistent_read=True)
    except WebSession.DoesNotExist:
        return None


def touch_session(session: WebSession, now: datetime) -> None:
    """Bookkeeping only: if the session was signed out meanwhile, it is not brought back."""
    with contextlib.suppress(UpdateError):
        session.update(actions=[WebSession.last_seen_at.set(now)], condition=WebSession.pk.exists())


def delete_session(session: WebSession) -> None:
    with contextlib.suppress(DeleteError):
        session.delete()


def delete_sessions_of(scope: str, subject_id: str, keep: Callable[[WebSession], bool] | None = None) -> int:
    """Delete a member's sessions found by their lookup key (the index lags: the revocation moment is the guarantee)."""
    deleted = 0
    for item in WebSession.lookup_index.query(sessions_of_subject_key(scope, subject_id)):
        if isinstance(item, WebSession) and not (keep and keep(item)):
            delete_session(item)
            deleted += 1
    return deleted
