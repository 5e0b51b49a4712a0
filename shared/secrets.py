"""The signing keys of this stage: link/Message-ID keys and inbound-webhook keys (SPEC §11).

Callers ask for a `Keyring` and never see where it came from. Deployed stages read the keys from
AWS Secrets Manager; `local` and `test` read them from the environment or `.local/`.

Stored format of a secret (what the template generates, what an operator edits during a rotation):
`{"kid": "k2", "secret": "<random>", "previous": [{"kid": "k1", "secret": "<old random>"}]}` — the
`kid`/`secret` pair signs, every key in `previous` still verifies.
"""

from __future__ import annotations

import json
import os

from shared.rules.signing import Keyring, SigningKey


class MissingSecret(Exception):
    """A secret this stage needs is absent or unusable: the process must refuse to start."""


def keyring_from_json(value: str, name: str) -> Keyring:
    """Parse the stored format; any other shape is a MissingSecret naming the secret."""
    try:
        data = json.loads(value)
        current = SigningKey(str(data["kid"]), str(data["secret"]))
        previous = tuple(SigningKey(str(p["kid"]), str(p["secret"])) for p in data.get("previous", ()))
    except (ValueError, KeyError, TypeError) as exc:
        raise MissingSecret(f"secret {name} is not of the form {{'kid': ..., 'secret': ...}}") from exc
    if not current.key_id or not current.secret:
        raise MissingSecret(f"secret {name} has an empty kid or secret")
    return Keyring(current=current, previous=previous)


def _keyring_from_env(variable: str, default: str) -> Keyring:
    # Comma-separated: the first signs, the rest still verify. Each entry is `kid:secret` or a bare secret.
    entries = [e.strip() for e in os.environ.get(variable, default).split(",") if e.strip()]
    keys = []
    for index, entry in enumerate(entries):
        kid, sep, secret = entry.partition(":")
        keys.append(SigningKey(kid, secret) if sep else SigningKey(f"env{index}", entry))
    if not keys:
        raise MissingSecret(f"{variable} is empty")
    return Keyring(current=keys[0], previous=tuple(keys[1:]))


def link_keyring() -> Keyring:
    """Keys of signed links and of our Message-IDs."""
    return _keyring_from_env("COCOON_LINK_SECRET", "local-link-secret")


def inbound_email_keyring() -> Keyring:
    """Keys of the raw-mail webhook (`X-Cocoon-Signature`)."""
    return _keyring_from_env("COCOON_INBOUND_EMAIL_SECRET", "local-inbound-secret")
