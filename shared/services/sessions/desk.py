"""The staff desk's scope of the session service: staff members sign in, with the API's roles."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.rules.sessions.lifetime import SessionLimits
from shared.services.sessions.service import SessionService, Subject

DESK_SCOPE = "desk"
SIGN_IN_TEMPLATE = "desk_sign_in"


def _subject(member: Any) -> Subject | None:
    if member is None or member.deactivated_at is not None:
        return None
    return Subject(
        subject_id=member.staff_id,
        email=member.email,
        name=member.name,
        role=member.role,
        sessions_revoked_at=member.sessions_revoked_at,
        totp_secret=member.totp_secret,
        language=member.desk_language,
    )


class StaffSubjects:
    def by_email(self, email: str) -> Subject | None:
        from shared.storage.staff_desk import member_by_email

        return _subject(member_by_email(email))

    def by_id(self, subject_id: str) -> Subject | None:
        from shared.storage.staff_desk import get_member

        return _subject(get_member(subject_id))

    def revoke_sessions(self, subject_id: str, now: datetime) -> None:
        from shared.storage.staff_desk import StaffMemberGone, revoke_sessions

        try:
            revoke_sessions(subject_id, now)
        except StaffMemberGone:
            return  # a removed member has no session that could still admit


def desk_sessions() -> SessionService:
    from shared.policy import get_policy
    from shared.services.sessions.store import DynamoSessionStore
    from shared.settings import get_settings

    policy, settings = get_policy(), get_settings()
    desk = policy.desk
    return SessionService(
        stage=settings.stage,
        subjects=StaffSubjects(),
        store=DynamoSessionStore(DESK_SCOPE, SIGN_IN_TEMPLATE, policy.fallback_language),
        limits=SessionLimits(
            idle=timedelta(minutes=desk.session_idle_minutes),
            absolute=timedelta(hours=desk.session_absolute_hours),
            touch_every=timedelta(seconds=desk.session_touch_seconds),
        ),
        link_lifetime=timedelta(minutes=desk.sign_in_link_minutes),
        confirm_url=f"{settings.public_url}/desk/sign-in/confirm",
        totp_window=desk.totp_valid_window,
    )
