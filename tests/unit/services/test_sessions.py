"""The session service with in-memory fakes: link once, expiry, revocation, stage, second factor."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from shared.rules.sessions.lifetime import SessionLimits
from shared.services.sessions.service import (
    LinkRecord,
    LinkRefused,
    SecondFactorRefused,
    SessionConflict,
    SessionRecord,
    SessionService,
    SignInMail,
    Subject,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LIMITS = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=10), touch_every=timedelta(seconds=60))


class FakeSubjects:
    def __init__(self) -> None:
        self.people = {"s1": Subject("s1", "ada@cocoon.example", "Ada", "agent")}

    def by_email(self, email: str) -> Subject | None:
        return next((p for p in self.people.values() if p.email == email), None)

    def by_id(self, subject_id: str) -> Subject | None:
        return self.people.get(subject_id)

    def revoke_sessions(self, subject_id: str, now: datetime) -> None:
        self.people[subject_id] = replace(self.people[subject_id], sessions_revoked_at=now)


class FakeStore:
    def __init__(self) -> None:
        self.links: dict[str, LinkRecord] = {}
        self.sessions: dict[str, SessionRecord] = {}
        self.mails: list[SignInMail] = []

    def save_link(self, hashed_token, subject_id, now, valid_until, mail):  # type: ignore[no-untyped-def]
        self.links[hashed_token] = LinkRecord(subject_id, valid_until)
        self.mails.append(mail)

    def get_link(self, hashed_token):  # type: ignore[no-untyped-def]
        return self.links.get(hashed_token)

    def open_with_link(self, hashed_token, session, expires):  # type: ignore[no-untyped-def]
        if self.links.pop(hashed_token, None) is None:
            raise SessionConflict("used")
        self.sessions[session.hashed_id] = session

    def get(self, hashed_id):  # type: ignore[no-untyped-def]
        return self.sessions.get(hashed_id)

    def touch(self, hashed_id, now):  # type: ignore[no-untyped-def]
        self.sessions[hashed_id] = replace(self.sessions[hashed_id], last_seen_at=now)

    def delete(self, hashed_id):  # type: ignore[no-untyped-def]
        self.sessions.pop(hashed_id, None)

    def replace(self, old_hashed_id, new, expires):  # type: ignore[no-untyped-def]
        if self.sessions.pop(old_hashed_id, None) is None:
            raise SessionConflict("gone")
        self.sessions[new.hashed_id] = new

    def delete_all_of(self, subject_id):  # type: ignore[no-untyped-def]
        for key in [k for k, v in self.sessions.items() if v.subject_id == subject_id]:
            del self.sessions[key]


def _service(stage: str = "prod") -> tuple[SessionService, FakeSubjects, FakeStore]:
    subjects, store = FakeSubjects(), FakeStore()
    service = SessionService(
        stage=stage,
        subjects=subjects,
        store=store,
        limits=LIMITS,
        link_lifetime=timedelta(minutes=15),
        confirm_url="https://desk.example/desk/sign-in/confirm",
    )
    return service, subjects, store


def _token(store: FakeStore) -> str:
    return store.mails[-1].url.split("token=", 1)[1]


def test_a_link_opens_one_session_once():
    service, _, store = _service()
    service.request_link("Ada@Cocoon.example", NOW)
    token = _token(store)
    opened = service.confirm_link(token, NOW)
    assert service.resolve(opened.session_id, NOW) is not None
    with pytest.raises(LinkRefused) as refused:
        service.confirm_link(token, NOW)
    assert refused.value.reason == "unknown"


def test_an_unknown_address_stores_and_mails_nothing():
    service, _, store = _service()
    service.request_link("eve@example.org", NOW)
    assert not store.links and not store.mails


def test_an_expired_link_is_refused():
    service, _, store = _service()
    service.request_link("ada@cocoon.example", NOW)
    with pytest.raises(LinkRefused) as refused:
        service.confirm_link(_token(store), NOW + timedelta(minutes=15))
    assert refused.value.reason == "expired"


def test_idle_absolute_and_revoked_sessions_end():
    service, subjects, store = _service()
    service.request_link("ada@cocoon.example", NOW)
    session_id = service.confirm_link(_token(store), NOW).session_id
    assert service.resolve(session_id, NOW + timedelta(minutes=29)) is not None
    assert service.resolve(session_id, NOW + timedelta(minutes=60)) is None
    assert not store.sessions  # an ended session is deleted on the way
    service.request_link("ada@cocoon.example", NOW)
    session_id = service.confirm_link(_token(store), NOW).session_id
    service.sign_out_everywhere("s1", NOW + timedelta(minutes=1))
    assert service.resolve(session_id, NOW + timedelta(minutes=2)) is None
    assert subjects.people["s1"].sessions_revoked_at is not None


def test_a_removed_subject_and_another_stage_are_refused():
    service, subjects, store = _service()
    service.request_link("ada@cocoon.example", NOW)
    session_id = service.confirm_link(_token(store), NOW).session_id
    other_stage = SessionService(
        stage="local",
        subjects=subjects,
        store=store,
        limits=LIMITS,
        link_lifetime=timedelta(minutes=15),
        confirm_url="x",
    )
    assert other_stage.resolve(session_id, NOW) is None
    del subjects.people["s1"]
    assert service.resolve(session_id, NOW) is None


def test_the_second_factor_gives_a_new_id_and_refuses_a_wrong_code():
    import pyotp

    service, subjects, store = _service()
    secret = pyotp.random_base32()
    subjects.people["s1"] = replace(subjects.people["s1"], totp_secret=secret)
    service.request_link("ada@cocoon.example", NOW)
    opened = service.confirm_link(_token(store), NOW)
    assert opened.needs_second_factor
    live = service.resolve(opened.session_id, NOW)
    assert live is not None and not live.second_factor_done
    with pytest.raises(SecondFactorRefused):
        service.pass_second_factor(live, "000000" if pyotp.TOTP(secret).at(NOW) != "000000" else "111111", NOW)
    new_id = service.pass_second_factor(live, pyotp.TOTP(secret).at(NOW), NOW)
    assert new_id != opened.session_id
    assert service.resolve(opened.session_id, NOW) is None
    upgraded = service.resolve(new_id, NOW)
    assert upgraded is not None and upgraded.second_factor_done
    assert not upgraded.csrf_matches(live.csrf_token) and upgraded.csrf_matches(upgraded.csrf_token)
