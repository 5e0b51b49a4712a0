"""Signup and verification with an in-memory store: what is decided before anything is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from shared.policy import get_policy
from shared.rules.identity import token_hash
from shared.rules.signup import TrialPeriod
from shared.services.accounts.errors import EmailTaken, LinkInvalid
from shared.services.accounts.signup import NewSignup, start_signup, verify_signup

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


@dataclass(frozen=True)
class Link:
    account_id: str
    valid_until: datetime
    admin_email: str
    admin_name: str = "Erika Mustermann"


@dataclass
class FakeSignups:
    """Reservations and links in dicts, as the DynamoDB store keeps them; every save is recorded."""

    reserved: set[str] = field(default_factory=set)
    links: dict[str, Link] = field(default_factory=dict)
    saved: list[dict[str, Any]] = field(default_factory=list)
    verified: list[tuple[str, TrialPeriod, list[tuple[str, str, datetime]]]] = field(default_factory=list)

    def save_pending_signup(self, account_id: str, account_fields: Any, link_hash: str, valid_until: datetime,
                            link_expires_at: datetime, purge_at: datetime, mail: Any, now: datetime) -> None:
        address = account_fields["admin_email"]
        if address in self.reserved:
            raise EmailTaken(pending=True)
        self.reserved.add(address)
        self.links[link_hash] = Link(account_id, valid_until, address)
        self.saved.append({"account_id": account_id, "fields": dict(account_fields), "valid_until": valid_until,
                           "purge_at": purge_at, "mail": mail})

    def verification_link(self, link_hash: str) -> Link | None:
        return self.links.get(link_hash)

    def save_verification(self, link: Link, address: str, trial: TrialPeriod,
                          schedule: list[tuple[str, str, datetime]], now: datetime) -> str:
        self.links.pop(token_hash_of(link, self.links), None)  # a link is used once
        self.verified.append((address, trial, schedule))
        return "ct_admin"


def token_hash_of(link: Link, links: dict[str, Link]) -> str:
    return next((key for key, value in links.items() if value == link), "")


def _signup(address: str = "  Erika.Mustermann@Beispiel.EXAMPLE ") -> NewSignup:
    return NewSignup(company_name="Beispiel GmbH", organization_type="company", country="DE", vat_id=None,
                     admin_name="Erika Mustermann", admin_email=address, language="de",
                     billing_email="Rechnung@Beispiel.EXAMPLE")


def _token(store: FakeSignups) -> str:
    match = re.search(r"token=([A-Za-z0-9_\-]+)", store.saved[-1]["mail"].body_text)
    assert match is not None
    return match.group(1)


def test_a_signup_saves_the_normalized_address_its_link_validity_and_its_purge() -> None:
    policy = get_policy()
    store = FakeSignups()
    account_id = start_signup(_signup(), NOW, policy, store=store)
    saved = store.saved[0]
    assert saved["account_id"] == account_id and account_id.startswith("acc_")
    assert saved["fields"]["admin_email"] == "erika.mustermann@beispiel.example"
    assert saved["fields"]["billing_email"] == "rechnung@beispiel.example"
    assert saved["fields"]["dpa_version"] == policy.dpa_version
    assert saved["valid_until"] == NOW + timedelta(hours=policy.signup.verification_link_hours)
    assert saved["purge_at"] == NOW + timedelta(days=policy.signup.unverified_deleted_after_days)
    assert saved["mail"].template == "signup_verification"
    assert saved["mail"].mail_id == f"verify-{account_id}"
    # Only the link's hash is stored: the token itself is in the mail alone.
    assert token_hash(_token(store)) in store.links


def test_a_second_signup_with_the_same_address_in_other_case_is_refused() -> None:
    store = FakeSignups()
    start_signup(_signup(), NOW, get_policy(), store=store)
    with pytest.raises(EmailTaken):
        start_signup(_signup("ERIKA.MUSTERMANN@beispiel.example"), NOW, get_policy(), store=store)
    assert len(store.saved) == 1


def test_verification_starts_a_thirty_day_trial_with_its_reminders_and_expiry() -> None:
    policy = get_policy()
    store = FakeSignups()
    account_id = start_signup(_signup(), NOW, policy, store=store)
    verified = verify_signup(_token(store), NOW + timedelta(minutes=10), policy, store=store)
    assert verified.account_id == account_id and verified.admin_token == "ct_admin"
    assert verified.trial.first_day == date(2026, 3, 2)
    assert (verified.trial.last_day - verified.trial.first_day).days == policy.trial.length_days - 1
    address, _, schedule = store.verified[0]
    assert address == "erika.mustermann@beispiel.example"
    actions = [action for _, action, _ in schedule]
    assert actions == [f"reminder-{days}" for days in policy.trial.reminder_days_before_end] + ["expire"]
    expire_at = schedule[-1][2]
    assert expire_at.date() == verified.trial.last_day + timedelta(days=1)  # midnight after the last day, Berlin
    assert all(due < expire_at for _, _, due in schedule[:-1])


def test_an_unknown_link_is_refused_and_starts_nothing() -> None:
    store = FakeSignups()
    with pytest.raises(LinkInvalid) as refused:
        verify_signup("cv_not-a-real-token", NOW, get_policy(), store=store)
    assert refused.value.reason == "unknown"
    assert store.verified == []


def test_an_expired_link_is_refused_and_starts_nothing() -> None:
    policy = get_policy()
    store = FakeSignups()
    start_signup(_signup(), NOW, policy, store=store)
    late = NOW + timedelta(hours=policy.signup.verification_link_hours)
    with pytest.raises(LinkInvalid) as refused:
        verify_signup(_token(store), late, policy, store=store)
    assert refused.value.reason == "expired"
    assert store.verified == []


def test_a_link_starts_one_trial_only() -> None:
    policy = get_policy()
    store = FakeSignups()
    start_signup(_signup(), NOW, policy, store=store)
    token = _token(store)
    verify_signup(token, NOW, policy, store=store)
    with pytest.raises(LinkInvalid):
        verify_signup(token, NOW, policy, store=store)
    assert len(store.verified) == 1
