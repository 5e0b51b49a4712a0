"""Attacks on our signed Message-IDs: what a stranger can thread into a ticket, or suppress, by naming one.

A reply naming one of our Message-IDs (In-Reply-To/References) joins that ticket without a tag in
the subject; a bounce returning one stops mail to its recipient. So a guessed or shortened
signature must never do either, while a key rotation must not break the threads of mails
already sent.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest

from shared.rules.signing import Keyring, SigningKey, our_message_id
from shared.storage.models import CocoonItem, SuppressedAddress
from tests.functional.helpers import (
    ADMIN,
    a_mail,
    deliver,
    dsn,
    message_id_of,
    open_ticket_by_mail,
    take_in,
    tickets,
)

STRANGERS_KEY = SigningKey("k1", "a-key-the-attacker-made-up")


def ack_message_id(outbox_dir: Path, number: str) -> str:
    return message_id_of(outbox_dir / f"ticket-ack-{number}.eml")


def signatures_of(message_id: str) -> tuple[str, list[str]]:
    """The mail id and the dot-separated parts after it (kid and signatures; old or new format)."""
    local = message_id.strip("<>").split("@", 1)[0]
    mail_id = re.match(r"ticket-ack-\d+", local)
    assert mail_id is not None, message_id
    return mail_id.group(0), local[mail_id.end() + 1 :].split(".")


def as_message_id(mail_id: str, parts: list[str]) -> str:
    return f"<{'.'.join([mail_id, *parts])}@mail.cocoon.example>"


def messages_on(number: str) -> int:
    [ticket] = [t for t in tickets() if t.number == number]
    return int(ticket.message_count)


def reply_naming(client: Any, message_id: str) -> dict[str, Any]:
    reply = a_mail(subject="Re: Export to Excel fails", body="More details.", In_Reply_To=message_id,
                   References=message_id)
    return take_in(client, reply.as_bytes())


def forgeries(message_id: str) -> list[str]:
    """Our real Message-ID with its thread signature guessed (every one character) or shortened."""
    mail_id, parts = signatures_of(message_id)
    index = max(range(len(parts)), key=lambda i: len(parts[i]) if i < len(parts) - 1 else -1)  # the thread signature
    signature = parts[index]
    guesses = sorted(set(string.hexdigits.lower() + "Az-_"))
    guesses += [signature[:length] for length in (2, 4, 8, 16, len(signature) - 1)]
    return [as_message_id(mail_id, [*parts[:index], guess, *parts[index + 1 :]]) for guess in guesses]


def test_a_guessed_or_shortened_message_id_signature_never_threads_a_reply(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    number = open_ticket_by_mail(client)
    deliver()
    for forged in forgeries(ack_message_id(outbox_dir, number)):
        answer = reply_naming(client, forged)
        assert answer != {"outcome": "message_added", "ticket": number}, forged
    assert messages_on(number) == 1


def test_a_bounce_returning_a_shortened_recipient_signature_suppresses_nothing(
    client: Any, customer: dict[str, Any], outbox_dir: Path,
) -> None:
    number = open_ticket_by_mail(client)
    deliver()
    mail_id, parts = signatures_of(ack_message_id(outbox_dir, number))
    recipient_signature = parts[-1]
    for length in (1, 2, 8, len(recipient_signature) - 1):
        for guess in {recipient_signature[:length], "7" * length}:
            forged = as_message_id(mail_id, [*parts[:-1], guess])
            assert take_in(client, dsn(ADMIN, forged)) == {"outcome": "dropped", "ticket": None}
    assert not [i for i in CocoonItem.scan() if isinstance(i, SuppressedAddress)]


def test_during_a_rotation_mails_signed_with_the_previous_key_still_thread(
    client: Any, customer: dict[str, Any], outbox_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = SigningKey("k1", "the-key-before-the-rotation")
    new = SigningKey("k2", "the-key-after-the-rotation")
    monkeypatch.setattr("shared.secrets.link_keyring", lambda: Keyring(current=old))
    number = open_ticket_by_mail(client)
    deliver()
    signed_before = ack_message_id(outbox_dir, number)
    assert ".k1." in signed_before, "a Message-ID names the key that signed it"

    monkeypatch.setattr("shared.secrets.link_keyring", lambda: Keyring(current=new, previous=(old,)))
    assert reply_naming(client, signed_before) == {"outcome": "message_added", "ticket": number}
    later = open_ticket_by_mail(client, subject="Import fails too")
    deliver("2026-11-23T11:05:00+01:00")
    signed_after = ack_message_id(outbox_dir, later)
    assert ".k2." in signed_after
    assert reply_naming(client, signed_after) == {"outcome": "message_added", "ticket": later}
    assert messages_on(number) == 2 and messages_on(later) == 2


def test_a_message_id_under_an_unknown_or_retired_kid_does_not_thread(
    client: Any, customer: dict[str, Any], outbox_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = SigningKey("k1", "the-key-before-the-rotation")
    monkeypatch.setattr("shared.secrets.link_keyring", lambda: Keyring(current=old))
    number = open_ticket_by_mail(client)
    deliver()
    ours = ack_message_id(outbox_dir, number)
    mail_id, _ = signatures_of(ours)
    # The rotation is over: k1 left the ring. What it signed no longer threads.
    monkeypatch.setattr("shared.secrets.link_keyring", lambda: Keyring(current=SigningKey("k2", "the-key-after")))
    assert reply_naming(client, ours) != {"outcome": "message_added", "ticket": number}
    # Our format, signed with a key the attacker made up, under a kid we never had or under ours.
    for kid in ("k7", "k2"):
        made_up = our_message_id(mail_id, Keyring(current=SigningKey(kid, STRANGERS_KEY.secret)), ADMIN)
        assert reply_naming(client, made_up) != {"outcome": "message_added", "ticket": number}, kid
    assert messages_on(number) == 1
