"""The intake decision with an in-memory store: what a mail becomes, and what it writes, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from shared.rules.sender_trust import NOT_CHECKED, SenderTrust
from shared.services.support.intake import MailKeys, take_in_mail
from tests.unit.services.fakes import CONTACT, FakeIntake, raw_mail

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def keys() -> MailKeys:
    from shared.policy import get_policy

    return MailKeys(policy=get_policy(), mail_id_of=lambda _mid: None, was_sent_to=lambda _mid, _address: False)


@pytest.fixture
def store() -> FakeIntake:
    fake = FakeIntake()
    fake.contacts[CONTACT] = SimpleNamespace(user_id="usr_1", email=CONTACT, name="Anna")
    return fake


def test_a_contact_s_new_mail_opens_a_ticket_with_the_mail_as_its_request(store: FakeIntake, keys: MailKeys) -> None:
    outcome, number = take_in_mail(raw_mail(), NOW, trust=NOT_CHECKED, store=store, mail_keys=keys)
    assert (outcome, number) == ("ticket_created", "2026112310001")
    [(kind, request)] = store.writes
    assert kind == "open_ticket"
    assert request.channel == "email" and request.subject == "Drucker druckt nicht"
    assert "geht nichts mehr" in request.details.description


def test_a_stranger_s_mail_stores_nothing(store: FakeIntake, keys: MailKeys) -> None:
    outcome, number = take_in_mail(raw_mail("fremd@example.org"), NOW, trust=NOT_CHECKED, store=store, mail_keys=keys)
    assert (outcome, number) == ("dropped", None)
    assert store.writes == []


def test_a_contact_of_an_account_that_is_not_live_is_a_stranger(store: FakeIntake, keys: MailKeys) -> None:
    store.live = False
    assert take_in_mail(raw_mail(), NOW, trust=NOT_CHECKED, store=store, mail_keys=keys) == ("dropped", None)
    assert store.writes == []


def test_a_reply_with_the_tag_of_an_open_ticket_is_added_to_it(store: FakeIntake, keys: MailKeys) -> None:
    store.tickets["2026112210001"] = SimpleNamespace(number="2026112210001", account_id="acc_1", state="in_progress")
    raw = raw_mail(subject="Re: Drucker [Ticket#2026112210001]")
    assert take_in_mail(raw, NOW, trust=NOT_CHECKED, store=store, mail_keys=keys) == ("message_added", "2026112210001")
    assert [kind for kind, _ in store.writes] == ["message"]


def test_a_reply_to_a_closed_ticket_gets_the_notice_and_opens_nothing(store: FakeIntake, keys: MailKeys) -> None:
    store.tickets["2026112210001"] = SimpleNamespace(number="2026112210001", account_id="acc_1", state="closed")
    raw = raw_mail(subject="Re: Drucker [Ticket#2026112210001]")
    assert take_in_mail(raw, NOW, trust=NOT_CHECKED, store=store, mail_keys=keys) == ("closed_notice", "2026112210001")
    assert store.writes == [("closed_notice", ("2026112210001", CONTACT))]


def test_a_mail_seen_before_is_a_duplicate_and_writes_nothing(store: FakeIntake, keys: MailKeys) -> None:
    from shared.storage.tickets import seen_key_for

    raw = raw_mail()
    store.seen.add(seen_key_for(f"{abs(hash((CONTACT, 'Drucker druckt nicht', '')))}@kunde.example", raw))
    assert take_in_mail(raw, NOW, trust=NOT_CHECKED, store=store, mail_keys=keys) == ("duplicate", None)
    assert store.writes == []


def test_a_redelivery_racing_the_first_is_a_duplicate(store: FakeIntake, keys: MailKeys) -> None:
    store.duplicate_on_write = True
    assert take_in_mail(raw_mail(), NOW, trust=NOT_CHECKED, store=store, mail_keys=keys) == ("duplicate", None)


def test_an_unverified_contact_s_mail_is_only_kept_for_review(store: FakeIntake, keys: MailKeys) -> None:
    store.tickets["2026112210001"] = SimpleNamespace(number="2026112210001", account_id="acc_1", state="in_progress")
    raw = raw_mail(subject="Re: [Ticket#2026112210001]")
    outcome = take_in_mail(raw, NOW, trust=SenderTrust(False, "dmarc_fail"), store=store, mail_keys=keys)
    assert outcome == ("unverified_sender", None)
    assert store.writes == [("unverified", "2026112210001")]


def test_a_bounce_of_a_mail_we_did_not_sign_stops_no_address(store: FakeIntake, keys: MailKeys) -> None:
    raw = raw_mail(
        "mailer-daemon@kunde.example", "Undelivered Mail Returned to Sender", **{"Auto-Submitted": "auto-replied"}
    )
    assert take_in_mail(raw, NOW, trust=NOT_CHECKED, store=store, mail_keys=keys) == ("dropped", None)
    assert store.writes == []
