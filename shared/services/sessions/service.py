"""Sign-in by a mailed single-use link, then a session in a cookie (SPEC §13; issue 15 item 1).

One mechanism for every scope: a scope names its cookie and its sessions' keys, and brings its own
`Subjects` (who may sign in, and whether they still may). The session id is random (256 bits), only
its hash is stored; the bearer is read again on every request (consistent reads, no cache), so a
removed or deactivated member, or "sign out everywhere", stops the next request.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from shared.rules.identity import normalize_email, token_hash
from shared.rules.sessions.lifetime import SessionLimits, SessionVerdict, needs_touch, session_expiry, session_verdict

LINK_TOKEN_PREFIX = "dl"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class Subject:
    """Who signs in: a staff member (desk) or, later, a customer's user."""

    subject_id: str
    email: str
    name: str
    role: str
    sessions_revoked_at: datetime | None = None
    totp_secret: str | None = None
    language: str | None = None  # the UI language the subject chose (None: the browser's)


class Subjects(Protocol):
    def by_email(self, email: str) -> Subject | None: ...
    def by_id(self, subject_id: str) -> Subject | None: ...  # None once removed or deactivated
    def revoke_sessions(self, subject_id: str, now: datetime) -> None: ...


@dataclass(frozen=True)
class LinkRecord:
    subject_id: str
    valid_until: datetime


@dataclass(frozen=True)
class SessionRecord:
    hashed_id: str
    subject_id: str
    stage: str
    created_at: datetime
    last_seen_at: datetime
    csrf_token: str
    second_factor_done: bool


@dataclass(frozen=True)
class SignInMail:
    mail_id: str
    recipient: str
    name: str
    url: str
    valid_until: datetime


class SessionStore(Protocol):
    def save_link(
        self, hashed_token: str, subject_id: str, now: datetime, valid_until: datetime, mail: SignInMail
    ) -> None: ...
    def get_link(self, hashed_token: str) -> LinkRecord | None: ...
    def open_with_link(self, hashed_token: str, session: SessionRecord, expires: datetime) -> None: ...
    def get(self, hashed_id: str) -> SessionRecord | None: ...
    def touch(self, hashed_id: str, now: datetime) -> None: ...
    def delete(self, hashed_id: str) -> None: ...
    def replace(self, old_hashed_id: str, new: SessionRecord, expires: datetime) -> None: ...
    def delete_all_of(self, subject_id: str) -> None: ...


class SessionConflict(Exception):
    """The store lost a race: the link was used, or the session ended, meanwhile."""


class LinkRefused(Exception):
    def __init__(self, reason: str) -> None:  # "unknown" | "expired" | "used"
        super().__init__(reason)
        self.reason = reason


class SecondFactorRefused(Exception):
    """The TOTP code is wrong, or the session needs none."""


@dataclass(frozen=True)
class OpenedSession:
    session_id: str  # goes into the cookie once; never stored, never logged
    needs_second_factor: bool


@dataclass(frozen=True)
class LiveSession:
    subject: Subject
    hashed_id: str
    csrf_token: str
    second_factor_done: bool

    def csrf_matches(self, presented: str | None) -> bool:
        expected = self.csrf_token.encode("ascii")
        given = (presented or "").encode("utf-8", "replace")
        return len(given) == len(expected) and hmac.compare_digest(expected, given)


def _new_session_id() -> str:
    return secrets.token_urlsafe(32)


class SessionService:
    def __init__(
        self,
        *,
        stage: str,
        subjects: Subjects,
        store: SessionStore,
        limits: SessionLimits,
        link_lifetime: timedelta,
        confirm_url: str,
        totp_window: int = 1,
    ) -> None:
        self._stage = stage
        self._subjects = subjects
        self._store = store
        self._limits = limits
        self._link_lifetime = link_lifetime
        self._confirm_url = confirm_url
        self._totp_window = totp_window

    @property
    def limits(self) -> SessionLimits:
        return self._limits

    def request_link(self, email: str, now: datetime) -> None:
        """Mail a sign-in link to a known subject; an unknown address gets the same answer and nothing is stored."""
        subject = self._subjects.by_email(normalize_email(email))
        if subject is None:
            return
        token = f"{LINK_TOKEN_PREFIX}_{secrets.token_urlsafe(32)}"
        hashed = token_hash(token)
        valid_until = now + self._link_lifetime
        mail = SignInMail(
            mail_id=f"signin-{hashed[:32]}",
            recipient=subject.email,
            name=subject.name,
            url=f"{self._confirm_url}?token={token}",
            valid_until=valid_until,
        )
        self._store.save_link(hashed, subject.subject_id, now, valid_until, mail)

    def confirm_link(self, token: str, now: datetime) -> OpenedSession:
        """Use the link (once) and open a new session: a new random id, never one the browser brought."""
        hashed = token_hash(token)
        link = self._store.get_link(hashed)
        if link is None:
            raise LinkRefused("unknown")
        if now >= link.valid_until:
            raise LinkRefused("expired")
        subject = self._subjects.by_id(link.subject_id)
        if subject is None:
            raise LinkRefused("unknown")
        session_id = _new_session_id()
        record = SessionRecord(
            hashed_id=token_hash(session_id),
            subject_id=subject.subject_id,
            stage=self._stage,
            created_at=now,
            last_seen_at=now,
            csrf_token=secrets.token_urlsafe(32),
            second_factor_done=subject.totp_secret is None,
        )
        try:
            self._store.open_with_link(hashed, record, session_expiry(now, self._limits))
        except SessionConflict as exc:
            raise LinkRefused("used") from exc
        return OpenedSession(session_id=session_id, needs_second_factor=not record.second_factor_done)

    def resolve(self, session_id: str | None, now: datetime) -> LiveSession | None:
        """The live session behind a cookie's id, or None; an ended session is deleted on the way."""
        if not session_id:
            return None
        hashed = token_hash(session_id)
        record = self._store.get(hashed)
        if record is None or record.stage != self._stage:
            return None
        subject = self._subjects.by_id(record.subject_id)
        if subject is None:
            self._store.delete(hashed)
            return None
        verdict = session_verdict(
            record.created_at, record.last_seen_at, now, self._limits, subject.sessions_revoked_at
        )
        if verdict is not SessionVerdict.LIVE:
            self._store.delete(hashed)
            return None
        if needs_touch(record.last_seen_at, now, self._limits):
            self._store.touch(hashed, now)
        return LiveSession(
            subject=subject,
            hashed_id=hashed,
            csrf_token=record.csrf_token,
            second_factor_done=record.second_factor_done,
        )

    def pass_second_factor(self, live: LiveSession, code: str, now: datetime) -> str:
        """Check the TOTP code; the session gets a new id (and CSRF token) as it gains its rights."""
        import pyotp

        secret = live.subject.totp_secret
        if live.second_factor_done or not secret:
            raise SecondFactorRefused()
        if not pyotp.TOTP(secret).verify(code.strip(), for_time=now, valid_window=self._totp_window):
            raise SecondFactorRefused()
        old = self._store.get(live.hashed_id)
        if old is None:
            raise SecondFactorRefused()
        session_id = _new_session_id()
        new = SessionRecord(
            hashed_id=token_hash(session_id),
            subject_id=old.subject_id,
            stage=old.stage,
            created_at=old.created_at,  # the absolute lifetime runs from the sign-in
            last_seen_at=now,
            csrf_token=secrets.token_urlsafe(32),
            second_factor_done=True,
        )
        try:
            self._store.replace(live.hashed_id, new, session_expiry(old.created_at, self._limits))
        except SessionConflict as exc:
            raise SecondFactorRefused() from exc
        return session_id

    def sign_out(self, live: LiveSession) -> None:
        self._store.delete(live.hashed_id)

    def sign_out_everywhere(self, subject_id: str, now: datetime) -> None:
        """Every session of the subject ends at once (the revocation moment), and their items go."""
        self._subjects.revoke_sessions(subject_id, now)
        self._store.delete_all_of(subject_id)
