"""The signing rules: full-length HMAC-SHA256, key ids for rotation, one purpose per kind of signed value."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.rules.signing import (
    SIGNATURE_LENGTH,
    Keyring,
    Purpose,
    SigningKey,
    link_token,
    mail_id_from_message_id,
    message_was_sent_to,
    our_message_id,
    read_link_token,
    signature,
    signature_valid,
    signed_by_keyring,
    webhook_signature,
    webhook_signature_problem,
)

OLD = SigningKey("k1", "old-secret-0123456789")
NEW = SigningKey("k2", "new-secret-9876543210")
OTHER = SigningKey("k9", "a-stranger's-secret")
RING = Keyring(current=NEW, previous=(OLD,))
FIELDS = ("rep_2026112310001_20261123120000",)
VALID = signature(NEW.secret, Purpose.SERVICE_REPORT, NEW.key_id, *FIELDS)
NOW = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
EXPIRES = NOW + timedelta(days=30)
BASE64URL = string.ascii_letters + string.digits + "-_"
# What an attacker may type: our alphabet, hex, punctuation and non-ASCII.
ANY_CHARACTER = st.characters(codec="utf-8") | st.sampled_from(BASE64URL + "=.+/²٣")


def test_a_signature_is_the_full_hmac_sha256_in_base64url() -> None:
    assert len(VALID) == SIGNATURE_LENGTH == 43
    assert set(VALID) <= set(BASE64URL)
    assert signature_valid(NEW, Purpose.SERVICE_REPORT, FIELDS, VALID)


@settings(max_examples=300, deadline=None)
@given(length=st.integers(0, 64), data=st.data())
def test_no_signature_of_any_length_0_to_64_validates_but_the_real_one(length: int, data: st.DataObject) -> None:
    guess = data.draw(st.text(alphabet=ANY_CHARACTER, min_size=length, max_size=length))
    assert signature_valid(NEW, Purpose.SERVICE_REPORT, FIELDS, guess) is (guess == VALID)


@pytest.mark.parametrize("length", range(65))
def test_every_truncation_and_extension_of_the_real_signature_fails(length: int) -> None:
    presented = (VALID + VALID)[:length]
    assert signature_valid(NEW, Purpose.SERVICE_REPORT, FIELDS, presented) is (length == SIGNATURE_LENGTH)


@settings(deadline=None)  # pure and fast; a busy machine must not make it flaky
@given(position=st.integers(0, SIGNATURE_LENGTH - 1), replacement=ANY_CHARACTER)
def test_every_single_character_change_of_a_valid_signature_fails(position: int, replacement: str) -> None:
    changed = VALID[:position] + replacement + VALID[position + 1 :]
    assert signature_valid(NEW, Purpose.SERVICE_REPORT, FIELDS, changed) is (changed == VALID)


def test_every_single_character_change_at_every_position_fails_exhaustively() -> None:
    for position in range(SIGNATURE_LENGTH):
        for replacement in BASE64URL:
            changed = VALID[:position] + replacement + VALID[position + 1 :]
            if changed != VALID:
                assert not signature_valid(NEW, Purpose.SERVICE_REPORT, FIELDS, changed), (position, replacement)


def test_a_key_in_previous_verifies_an_unknown_kid_does_not() -> None:
    by_old = signature(OLD.secret, Purpose.SERVICE_REPORT, OLD.key_id, *FIELDS)
    assert signed_by_keyring(RING, Purpose.SERVICE_REPORT, "k1", FIELDS, by_old)
    assert signed_by_keyring(RING, Purpose.SERVICE_REPORT, "k2", FIELDS, VALID)
    by_stranger = signature(OTHER.secret, Purpose.SERVICE_REPORT, OTHER.key_id, *FIELDS)
    assert not signed_by_keyring(RING, Purpose.SERVICE_REPORT, "k9", FIELDS, by_stranger)
    # Once the old key leaves the ring, what it signed stops verifying.
    assert not signed_by_keyring(Keyring(current=NEW), Purpose.SERVICE_REPORT, "k1", FIELDS, by_old)


def test_a_signature_made_with_key_a_under_kid_b_fails() -> None:
    with_old_secret = signature(OLD.secret, Purpose.SERVICE_REPORT, NEW.key_id, *FIELDS)
    assert not signed_by_keyring(RING, Purpose.SERVICE_REPORT, NEW.key_id, FIELDS, with_old_secret)
    with_new_secret = signature(NEW.secret, Purpose.SERVICE_REPORT, NEW.key_id, *FIELDS)
    assert not signed_by_keyring(RING, Purpose.SERVICE_REPORT, OLD.key_id, FIELDS, with_new_secret)


def test_purposes_and_field_lists_never_share_a_signature() -> None:
    signatures = {
        signature(NEW.secret, purpose, NEW.key_id, *fields)
        for purpose in Purpose
        for fields in (("a:b",), ("a", "b"), ("a:b", ""), ("ab",))
    }
    assert len(signatures) == len(Purpose) * 4


# --- links ----------------------------------------------------------------------------------------


def test_a_link_token_says_its_key_link_and_expiry_and_reads_back() -> None:
    token = link_token(RING, Purpose.SERVICE_REPORT, FIELDS, "lnk_0123abcd", EXPIRES)
    kid, link_id, expires, sig = token.split(".")
    assert (kid, link_id, int(expires), len(sig)) == ("k2", "lnk_0123abcd", int(EXPIRES.timestamp()), 43)
    claim = read_link_token(RING, Purpose.SERVICE_REPORT, FIELDS, token)
    assert claim is not None and claim.link_id == "lnk_0123abcd" and claim.expires_at == EXPIRES
    assert not claim.expired(EXPIRES - timedelta(seconds=1)) and claim.expired(EXPIRES)


@settings(deadline=None)
@given(position=st.integers(0, 200), replacement=ANY_CHARACTER)
def test_every_single_character_change_of_a_link_token_fails(position: int, replacement: str) -> None:
    token = link_token(RING, Purpose.SERVICE_REPORT, FIELDS, "lnk_0123abcd", EXPIRES)
    position %= len(token)
    changed = token[:position] + replacement + token[position + 1 :]
    if changed != token:
        assert read_link_token(RING, Purpose.SERVICE_REPORT, FIELDS, changed) is None


def test_the_expiry_of_a_link_cannot_be_extended() -> None:
    token = link_token(RING, Purpose.SERVICE_REPORT, FIELDS, "lnk_1", EXPIRES)
    kid, link_id, expires, sig = token.split(".")
    later = str(int(expires) + 365 * 86400)
    assert read_link_token(RING, Purpose.SERVICE_REPORT, FIELDS, f"{kid}.{link_id}.{later}.{sig}") is None


def test_a_link_for_one_purpose_or_subject_serves_no_other() -> None:
    token = link_token(RING, Purpose.SERVICE_REPORT, ("2026112310001", "usr_1"), "req_1", EXPIRES)
    assert read_link_token(RING, Purpose.AUTHORIZATION, ("2026112310001", "usr_1"), token) is None
    assert read_link_token(RING, Purpose.SERVICE_REPORT, ("2026112310001", "usr_2"), token) is None
    assert read_link_token(RING, Purpose.SERVICE_REPORT, ("2026112310001", "usr_1"), token) is not None


def test_a_link_signed_with_the_previous_key_reads_during_a_rotation() -> None:
    token = link_token(Keyring(current=OLD), Purpose.AUTHORIZATION, FIELDS, "req_1", EXPIRES)
    assert read_link_token(RING, Purpose.AUTHORIZATION, FIELDS, token) is not None
    assert read_link_token(Keyring(current=NEW), Purpose.AUTHORIZATION, FIELDS, token) is None


@pytest.mark.parametrize("token", ["", "7", "k2", "k2.lnk.1.", "k2..1.x", "k2.lnk.²³.x", "a.b.c.d.e", "k2.lnk.1.x\udcff"])
def test_malformed_link_tokens_read_as_nothing(token: str) -> None:
    assert read_link_token(RING, Purpose.SERVICE_REPORT, FIELDS, token) is None


def test_a_key_id_that_cannot_travel_in_a_link_refuses_to_sign() -> None:
    with pytest.raises(ValueError, match="key id"):
        link_token(Keyring(current=SigningKey("k.1", "s")), Purpose.SERVICE_REPORT, FIELDS, "lnk_1", EXPIRES)


# --- Message-IDs ----------------------------------------------------------------------------------

MAIL_ID = "ticket-ack-2026112310001"
ERIKA = "erika@beispiel.example"


def test_our_message_id_is_one_readable_short_line_and_names_its_mail_and_recipient() -> None:
    message_id = our_message_id(MAIL_ID, RING, ERIKA)
    assert message_id.startswith(f"<{MAIL_ID}.k2.") and message_id.endswith("@mail.cocoon.example>")
    assert len(f"Message-ID: {message_id}") < 200 and " " not in message_id
    assert mail_id_from_message_id(message_id, RING) == MAIL_ID
    assert message_was_sent_to(message_id, "Erika@Beispiel.example ", RING)
    assert not message_was_sent_to(message_id, "victim@beispiel.example", RING)


@settings(deadline=None)
@given(position=st.integers(0, 300), replacement=ANY_CHARACTER)
def test_every_single_character_change_of_a_message_id_signature_fails(position: int, replacement: str) -> None:
    message_id = our_message_id(MAIL_ID, RING, ERIKA)
    start = len(f"<{MAIL_ID}.k2.")
    end = message_id.index("@")
    position = start + position % (end - start)
    changed = message_id[:position] + replacement + message_id[position + 1 :]
    if changed == message_id or changed[position] == ".":
        return  # no change, or the dot between the two signatures stays where it is
    assert not message_was_sent_to(changed, ERIKA, RING)
    if position < start + SIGNATURE_LENGTH:
        assert mail_id_from_message_id(changed, RING) is None


@pytest.mark.parametrize("length", range(65))
def test_a_message_id_with_a_shortened_or_guessed_signature_names_no_mail(length: int) -> None:
    message_id = our_message_id(MAIL_ID, RING, ERIKA)
    local = message_id.strip("<>").split("@")[0]
    _, _, thread, to = local.rsplit(".", 3)
    for guess in ((thread * 2)[:length], "7" * length):
        if guess != thread:
            forged = f"<{MAIL_ID}.k2.{guess}.{to}@mail.cocoon.example>"
            assert mail_id_from_message_id(forged, RING) is None
            assert not message_was_sent_to(forged, ERIKA, RING)
        if (to * 2)[:length] != to:
            forged_to = f"<{MAIL_ID}.k2.{thread}.{(to * 2)[:length]}@mail.cocoon.example>"
            assert not message_was_sent_to(forged_to, ERIKA, RING)


def test_a_message_id_of_the_previous_key_names_its_mail_an_unknown_kid_does_not() -> None:
    by_old = our_message_id(MAIL_ID, Keyring(current=OLD), ERIKA)
    assert mail_id_from_message_id(by_old, RING) == MAIL_ID and message_was_sent_to(by_old, ERIKA, RING)
    by_stranger = our_message_id(MAIL_ID, Keyring(current=OTHER), ERIKA)
    assert mail_id_from_message_id(by_stranger, RING) is None
    assert not message_was_sent_to(by_stranger, ERIKA, RING)
    relabelled = by_stranger.replace(".k9.", ".k2.")
    assert mail_id_from_message_id(relabelled, RING) is None


def test_the_thread_signature_does_not_pass_as_the_recipient_signature() -> None:
    message_id = our_message_id(MAIL_ID, RING, ERIKA)
    local = message_id.strip("<>").split("@")[0]
    _, _, thread, _ = local.rsplit(".", 3)
    assert not message_was_sent_to(f"<{MAIL_ID}.k2.{thread}.{thread}@mail.cocoon.example>", ERIKA, RING)


# --- the webhook ----------------------------------------------------------------------------------

BODY = b"From: erika@beispiel.example\r\n\r\nHello"
STAMP = "1795428000"
AT = float(STAMP)
WEBHOOK_RING = Keyring(current=SigningKey("env0", "test-secret-new"), previous=(SigningKey("env1", "test-secret-old"),))


def test_the_webhook_signature_is_spec_hex_and_every_verifying_key_signs() -> None:
    for secret in ("test-secret-new", "test-secret-old"):
        header = webhook_signature(secret, STAMP, BODY)
        assert header.startswith("v1=") and len(header) == 3 + 64
        assert webhook_signature_problem(WEBHOOK_RING, STAMP, header, BODY, AT) is None
    assert webhook_signature_problem(WEBHOOK_RING, STAMP, webhook_signature("guess", STAMP, BODY), BODY, AT)


def test_a_webhook_may_name_its_key_and_an_unknown_kid_fails() -> None:
    by_old = webhook_signature("test-secret-old", STAMP, BODY)
    assert webhook_signature_problem(WEBHOOK_RING, STAMP, f"kid=env1,{by_old}", BODY, AT) is None
    assert webhook_signature_problem(WEBHOOK_RING, STAMP, f"kid=env0,{by_old}", BODY, AT) is not None
    assert webhook_signature_problem(WEBHOOK_RING, STAMP, f"kid=k7,{by_old}", BODY, AT) is not None


@pytest.mark.parametrize("length", range(65))
def test_a_shortened_webhook_signature_fails(length: int) -> None:
    full = webhook_signature("test-secret-new", STAMP, BODY)
    assert webhook_signature_problem(WEBHOOK_RING, STAMP, full[: 3 + length], BODY, AT) == (
        None if length == 64 else "the signature does not match"
    )


@pytest.mark.parametrize("header", ["v1=²", "v1=" + "é" * 64, "v1=", "", "v2=00"])
def test_odd_webhook_signatures_are_refused_not_crashed_on(header: str) -> None:
    assert webhook_signature_problem(WEBHOOK_RING, STAMP, header, BODY, AT) is not None


@pytest.mark.parametrize("stamp", ["²", "١٧٩٥٤٢٨٠٠٠", "-1", "1e9", " 1795428000"])
def test_a_timestamp_that_is_not_ascii_unix_seconds_is_refused(stamp: str) -> None:
    header = webhook_signature("test-secret-new", "1795428000", BODY)
    assert webhook_signature_problem(WEBHOOK_RING, stamp, header, BODY, AT) == "X-Cocoon-Timestamp must be Unix seconds"
