"""HMAC signatures: of our own Message-IDs (threading), of links (service reports), of webhooks."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    secret: str


@dataclass(frozen=True)
class Keyring:
    """The key that signs now, and the keys that still verify during a rotation."""

    current: SigningKey
    previous: tuple[SigningKey, ...] = ()

    @property
    def verifying(self) -> tuple[SigningKey, ...]:
        return (self.current, *self.previous)

    def find(self, key_id: str) -> SigningKey | None:
        return next((key for key in self.verifying if key.key_id == key_id), None)


def sign(secret: str, message: str, length: int = 16) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def signature_valid(secret: str, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message, len(signature) or 16), signature)


MESSAGE_ID_DOMAIN = "mail.cocoon.example"


def _recipient_proof(mail_id: str, recipient: str) -> str:
    return f"{mail_id}:to:{recipient.strip().lower()}"


def our_message_id(mail_id: str, secret: str, recipient: str) -> str:
    """A Message-ID that proves it is ours, and to whom it went.

    The first signature lets a reply naming it be threaded without trusting the
    sender; the second proves the recipient, so a bounce can only stop mail to
    the address the bounced mail was really sent to.
    """
    return (
        f"<{mail_id}.{sign(secret, mail_id)}.{sign(secret, _recipient_proof(mail_id, recipient))}"
        f"@{MESSAGE_ID_DOMAIN}>"
    )


def _parts(message_id: str) -> tuple[str, str, str] | None:
    text = message_id.strip().strip("<>")
    local, _, domain = text.partition("@")
    if domain != MESSAGE_ID_DOMAIN or local.count(".") < 2:
        return None
    rest, _, recipient_signature = local.rpartition(".")
    mail_id, _, signature = rest.rpartition(".")
    return mail_id, signature, recipient_signature


def mail_id_from_message_id(message_id: str, secret: str) -> str | None:
    """The mail id inside one of our signed Message-IDs, or None for any other (or forged) id."""
    parts = _parts(message_id)
    if parts is None:
        return None
    mail_id, signature, _ = parts
    return mail_id if signature and signature_valid(secret, mail_id, signature) else None


def message_was_sent_to(message_id: str, address: str, secret: str) -> bool:
    """Whether one of our signed Message-IDs names a mail that went to `address`."""
    parts = _parts(message_id)
    if parts is None or mail_id_from_message_id(message_id, secret) is None:
        return False
    mail_id, _, recipient_signature = parts
    return bool(recipient_signature) and signature_valid(
        secret, _recipient_proof(mail_id, address), recipient_signature
    )


WEBHOOK_TOLERANCE_SECONDS = 300


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` (SPEC §8)."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def webhook_signature_problem(
    secrets: tuple[str, ...],
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now_epoch: float,
    tolerance: int = WEBHOOK_TOLERANCE_SECONDS,
) -> str | None:
    """Why a webhook call must be refused (None if it is genuine): unsigned, forged, stale or from the future.

    Any of the configured secrets may have signed it, so a secret can be rotated without downtime.
    """
    if not timestamp or not signature:
        return "the call is not signed (X-Cocoon-Timestamp and X-Cocoon-Signature are required)"
    if not timestamp.isdigit():
        return "X-Cocoon-Timestamp must be Unix seconds"
    if abs(now_epoch - int(timestamp)) > tolerance:
        return f"X-Cocoon-Timestamp is more than {tolerance} seconds away from now"
    presented = [part.strip() for part in signature.split(",") if part.strip().startswith("v1=")]
    for secret in secrets:
        expected = webhook_signature(secret, timestamp, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in presented):
            return None
    return "the signature does not match"
