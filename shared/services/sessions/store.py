"""The session service's storage in DynamoDB (shared/storage/sessions.py), its races as SessionConflict."""

from __future__ import annotations

from datetime import datetime

from shared.services.sessions.service import LinkRecord, SessionConflict, SessionRecord, SignInMail


class DynamoSessionStore:
    def __init__(self, scope: str, template: str, language: str) -> None:
        self._scope = scope
        self._template = template
        self._language = language

    def save_link(
        self, hashed_token: str, subject_id: str, now: datetime, valid_until: datetime, mail: SignInMail
    ) -> None:
        from shared.mail.compose import compose_mail
        from shared.rules.clock import utc_iso
        from shared.storage import sessions
        from shared.storage.outbox import outbox_mail

        link = sessions.new_sign_in_link(self._scope, hashed_token, subject_id, now, valid_until)
        outbox = outbox_mail(compose_mail(
            mail_id=mail.mail_id,
            account_id=None,
            recipient=mail.recipient,
            template=self._template,
            language=self._language,
            context={"name": mail.name, "sign_in_url": mail.url, "valid_until": utc_iso(mail.valid_until)},
            now=now,
        ))
        sessions.save_link_with_mail(link, [outbox], now)

    def get_link(self, hashed_token: str) -> LinkRecord | None:
        from shared.storage import sessions

        link = sessions.get_link(self._scope, hashed_token)
        return None if link is None else LinkRecord(subject_id=link.subject_id, valid_until=link.valid_until)

    def open_with_link(self, hashed_token: str, session: SessionRecord, expires: datetime) -> None:
        from shared.storage import sessions

        link = sessions.get_link(self._scope, hashed_token)
        if link is None:
            raise SessionConflict("the link is gone")
        try:
            sessions.open_session_with_link(link, self._item(session, expires))
        except sessions.SessionConflict as exc:
            raise SessionConflict(str(exc)) from exc

    def get(self, hashed_id: str) -> SessionRecord | None:
        from shared.storage import sessions

        item = sessions.get_session(self._scope, hashed_id)
        if item is None:
            return None
        return SessionRecord(
            hashed_id=hashed_id,
            subject_id=item.subject_id,
            stage=item.stage,
            created_at=item.created_at,
            last_seen_at=item.last_seen_at,
            csrf_token=item.csrf_token,
            second_factor_done=bool(item.second_factor_done),
        )

    def touch(self, hashed_id: str, now: datetime) -> None:
        from shared.storage import sessions

        item = sessions.get_session(self._scope, hashed_id)
        if item is not None:
            sessions.touch_session(item, now)

    def delete(self, hashed_id: str) -> None:
        from shared.storage import sessions

        item = sessions.get_session(self._scope, hashed_id)
        if item is not None:
            sessions.delete_session(item)

    def replace(self, old_hashed_id: str, new: SessionRecord, expires: datetime) -> None:
        from shared.storage import sessions

        old = sessions.get_session(self._scope, old_hashed_id)
        if old is None:
            raise SessionConflict("the session ended")
        try:
            sessions.replace_session(old, self._item(new, expires))
        except sessions.SessionConflict as exc:
            raise SessionConflict(str(exc)) from exc

    def delete_all_of(self, subject_id: str) -> None:
        from shared.storage import sessions

        sessions.delete_sessions_of(self._scope, subject_id)

    def _item(self, record: SessionRecord, expires: datetime):  # type: ignore[no-untyped-def]
        from shared.storage import sessions

        item = sessions.new_session(
            self._scope,
            record.hashed_id,
            record.subject_id,
            record.stage,
            record.csrf_token,
            record.created_at,
            expires,
        )
        item.last_seen_at = record.last_seen_at
        item.second_factor_done = record.second_factor_done
        return item
