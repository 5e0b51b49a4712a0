"""HMAC signatures: of our own Message-IDs (threading), of links (service reports), of webhooks."""

from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, message: str, length: int = 16) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def signature_valid(secret: str, message: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message, len(signature) or 16), signature)


MESSAGE_ID_DOMAIN = "mail.cocoon.example"


def our_message_id(mail_id: str, secret: str) -> str:
    """A Message-ID that proves it is ours: a reply naming it can be threaded without trusting the sender."""
    return f"<{mail_id}.{sign(secret, mail_id)}@{MESSAGE_ID_DOMAIN}>"


def mail_id_from_message_id(message_id: str, secret: str) -> str | None:
    """The mail id inside one of our signed Message-IDs, or None for any other (or forged) id."""
    text = message_id.strip().strip("<>")
    local, _, domain = text.partition("@")
    if domain != MESSAGE_ID_DOMAIN or "." not in local:
        return None
    mail_id, _, signature = local.rpartition(".")
    return mail_id if signature_valid(secret, mail_id, signature) else None


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
