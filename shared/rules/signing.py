"""HMAC-SHA256 signatures: of links that decide something, of our own Message-IDs, of webhooks.

One rule for all of them: a signature is the full HMAC-SHA256 (43 characters of base64url, no
padding; hex for the webhook, as SPEC §8 fixes it), compared with `hmac.compare_digest` on
values of equal length; anything shorter, longer or different never validates. Every signed
value names the key id (kid) that signed it, so during a rotation the previous keys still verify
while the current one signs. Each kind of signed value has its own purpose inside the signed
message, so a report link's signature can never serve as an authorization's or a Message-ID's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


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


class Purpose(StrEnum):
    """What a signature is for; part of every signed message (domain separation)."""

    SERVICE_REPORT = "service-report"
    AUTHORIZATION = "authorization"
    MESSAGE_ID = "message-id"
    MESSAGE_RECIPIENT = "message-recipient"
    ATTACHMENT = "attachment"  # the desk's short-lived download link of one file of one ticket
    RATING = "rating"  # the solved mail's one-click rating: names the ticket and the verdict (issue 16)


SIGNATURE_LENGTH = 43  # base64url of the 32 bytes of HMAC-SHA256, without padding
# Key ids travel inside URLs and Message-IDs (dot-atom text), separated by dots.
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_LINK_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_EPOCH = re.compile(r"[0-9]{1,12}")  # ASCII digits only: str.isdigit() would take "²"


def _as_bytes(value: str) -> bytes:
    # compare_digest refuses non-ASCII str; what a caller sends may be anything.
    return value.encode("utf-8", "replace")


def signature(secret: str, purpose: Purpose, key_id: str, *fields: str) -> str:
    """The full HMAC-SHA256 of (purpose, key id, fields), JSON-encoded so no two field lists collide."""
    message = json.dumps([purpose.value, key_id, *fields], ensure_ascii=False, separators=(",", ":"))
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def signature_valid(key: SigningKey, purpose: Purpose, fields: tuple[str, ...], presented: str) -> bool:
    """Whether `presented` is exactly the signature of `fields` by `key`: full length, constant time."""
    expected = _as_bytes(signature(key.secret, purpose, key.key_id, *fields))
    candidate = _as_bytes(presented)
    return len(candidate) == len(expected) and hmac.compare_digest(expected, candidate)


def _signing_key(keyring: Keyring) -> SigningKey:
    key = keyring.current
    if not KEY_ID.fullmatch(key.key_id):
        # Fail closed: a kid we could not parse back would make every signed value unverifiable.
        raise ValueError("a signing key id must be 1-32 characters of A-Z, a-z, 0-9, '_' or '-'")
    return key


def signed_by_keyring(keyring: Keyring, purpose: Purpose, key_id: str, fields: tuple[str, ...], sig: str) -> bool:
    """Whether the key named `key_id` (one of the ring's verifying keys) made `sig`; an unknown kid never does."""
    key = keyring.find(key_id) if KEY_ID.fullmatch(key_id) else None
    return key is not None and signature_valid(key, purpose, fields, sig)


# --- links that decide something (service reports, authorizations) --------------------------------


@dataclass(frozen=True)
class LinkClaim:
    """What a genuine link token says: which link it is and until when it may be used."""

    link_id: str
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def link_token(keyring: Keyring, purpose: Purpose, subject: tuple[str, ...], link_id: str, expires_at: datetime) -> str:
    """`<kid>.<link id>.<expiry, Unix seconds>.<signature>`: the expiry is signed, so it cannot be extended."""
    if not _LINK_ID.fullmatch(link_id):
        raise ValueError("a link id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'")
    key = _signing_key(keyring)
    expires = str(int(expires_at.timestamp()))
    sig = signature(key.secret, purpose, key.key_id, *subject, link_id, expires)
    return f"{key.key_id}.{link_id}.{expires}.{sig}"


def read_link_token(keyring: Keyring, purpose: Purpose, subject: tuple[str, ...], token: str) -> LinkClaim | None:
    """The claim of a token we signed for this purpose and subject (expired or not), else None."""
    parts = token.split(".")
    if len(parts) != 4:
        return None
    key_id, link_id, expires, sig = parts
    if not _LINK_ID.fullmatch(link_id) or not _EPOCH.fullmatch(expires):
        return None
    if not signed_by_keyring(keyring, purpose, key_id, (*subject, link_id, expires), sig):
        return None
    return LinkClaim(link_id=link_id, expires_at=datetime.fromtimestamp(int(expires), tz=UTC))


# --- our Message-IDs ------------------------------------------------------------------------------

MESSAGE_ID_DOMAIN = "mail.cocoon.example"


def _recipient(address: str) -> str:
    return address.strip().lower()


def our_message_id(mail_id: str, keyring: Keyring, recipient: str) -> str:
    """`<mail id>.<kid>.<signature>.<recipient signature>@mail.cocoon.example`: ours, and to whom it went.

    The first signature lets a reply naming it be threaded without trusting the
    sender; the second proves the recipient, so a bounce can only stop mail to
    the address the bounced mail was really sent to. About 120-180 characters:
    one unfolded header line, well under RFC 5322's 998.
    """
    key = _signing_key(keyring)
    thread = signature(key.secret, Purpose.MESSAGE_ID, key.key_id, mail_id)
    to = signature(key.secret, Purpose.MESSAGE_RECIPIENT, key.key_id, mail_id, _recipient(recipient))
    return f"<{mail_id}.{key.key_id}.{thread}.{to}@{MESSAGE_ID_DOMAIN}>"


def _parts(message_id: str) -> tuple[str, str, str, str] | None:
    local, _, domain = message_id.strip().strip("<>").partition("@")
    parts = local.rsplit(".", 3)
    if domain != MESSAGE_ID_DOMAIN or len(parts) != 4:
        return None
    mail_id, key_id, thread, to = parts
    return mail_id, key_id, thread, to


def mail_id_from_message_id(message_id: str, keyring: Keyring) -> str | None:
    """The mail id inside one of our signed Message-IDs, or None for any other (or forged) id."""
    parts = _parts(message_id)
    if parts is None:
        return None
    mail_id, key_id, thread, _ = parts
    return mail_id if signed_by_keyring(keyring, Purpose.MESSAGE_ID, key_id, (mail_id,), thread) else None


def message_was_sent_to(message_id: str, address: str, keyring: Keyring) -> bool:
    """Whether one of our signed Message-IDs names a mail that went to `address`."""
    parts = _parts(message_id)
    if parts is None or mail_id_from_message_id(message_id, keyring) is None:
        return False
    mail_id, key_id, _, to = parts
    return signed_by_keyring(keyring, Purpose.MESSAGE_RECIPIENT, key_id, (mail_id, _recipient(address)), to)


# --- the raw-mail webhook (SPEC §8) ----------------------------------------------------------------

WEBHOOK_TOLERANCE_SECONDS = 300
_WEBHOOK_HEX = re.compile(r"[0-9a-f]{64}")


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` (SPEC §8)."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def webhook_signature_problem(
    keyring: Keyring,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now_epoch: float,
    tolerance: int = WEBHOOK_TOLERANCE_SECONDS,
) -> str | None:
    """Why a webhook call must be refused (None if it is genuine): unsigned, forged, stale or from the future.

    Any verifying key of the ring may have signed it, so a secret can be rotated without downtime. A
    relay may name its key (`kid=<id>,v1=<hex>`); then only that key is tried, and an unknown kid fails.
    """
    if not timestamp or not signature:
        return "the call is not signed (X-Cocoon-Timestamp and X-Cocoon-Signature are required)"
    if not _EPOCH.fullmatch(timestamp):
        return "X-Cocoon-Timestamp must be Unix seconds"
    if abs(now_epoch - int(timestamp)) > tolerance:
        return f"X-Cocoon-Timestamp is more than {tolerance} seconds away from now"
    elements = [part.strip().lower() for part in signature.split(",")]
    presented = [_as_bytes(e) for e in elements if e.startswith("v1=") and _WEBHOOK_HEX.fullmatch(e[3:])]
    named = [part.strip()[4:] for part in signature.split(",") if part.strip().startswith("kid=")]
    keys = keyring.verifying if not named else tuple(k for k in keyring.verifying if k.key_id in named)
    for key in keys:
        expected = _as_bytes(webhook_signature(key.secret, timestamp, body))
        if any(hmac.compare_digest(expected, candidate) for candidate in presented):
            return None
    return "the signature does not match"
