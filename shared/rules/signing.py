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
