"""The signing keys of this stage: link/Message-ID keys and inbound-webhook keys (SPEC §11).

Callers ask for a `Keyring` and never see where it came from. Deployed stages (any stage but
`local` and `test`) read the keys from AWS Secrets Manager, by the ARNs the template puts in the
function's environment, through Powertools' Parameters utility (cached for `SECRET_MAX_AGE_SECONDS`,
so a rotation reaches every warm function within that time). `test` reads them from the environment
(the test run makes them), `local` from the environment or else from `.local/secrets.json`, which
the first local process to need it creates with random keys.

Stored format of a secret (what the template generates, what an operator edits during a rotation):
`{"kid": "k2", "secret": "<random>", "previous": [{"kid": "k1", "secret": "<old random>"}]}` — the
`kid`/`secret` pair signs, every key in `previous` still verifies.

Fail closed: a deployed stage whose secret is unset, absent, unreadable, of another shape, short,
or one of the values that were ever public (the old local defaults) raises `MissingSecret` naming
the secret, and the process refuses to work (app.py before its first event, the CLI before any command).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.rules.signing import Keyring, SigningKey
from shared.settings import TIME_TRAVEL_STAGES, deployment_stage, local_directory

# How long a function trusts a fetched secret before asking Secrets Manager again: one call per
# secret and warm function every 5 minutes, and a rotation is live everywhere 5 minutes later.
SECRET_MAX_AGE_SECONDS = 300
# The template generates 64 characters; anything much shorter was typed by hand.
MINIMUM_SECRET_LENGTH = 32
# Values that were once defaults in this code base (and so are public): never valid in a deployed stage.
PUBLISHED_SECRETS = frozenset({"local-link-secret", "local-inbound-secret"})
LOCAL_SECRETS_FILE = "secrets.json"
# Lambda sets `_HANDLER` to the function's handler string; app.py's API is `app.app`.
API_HANDLER = "app.app"


class MissingSecret(Exception):
    """A secret this stage needs is absent or unusable: the process must refuse to start."""


@dataclass(frozen=True)
class StageSecret:
    """One secret of a stage, and where each kind of stage finds it."""

    description: str  # what it signs, for the refusal message
    arn_variable: str  # deployed stages: the Secrets Manager ARN
    value_variable: str  # local and test stages: `kid:secret` entries, comma-separated
    local_key: str  # the local stage: its entry in .local/secrets.json

    def named(self, detail: str) -> str:
        return f"the {self.description} secret ({self.arn_variable}) {detail}"


LINK_SECRET = StageSecret("link-signing", "COCOON_LINK_SECRET_ARN", "COCOON_LINK_SECRET", "link")
INBOUND_EMAIL_SECRET = StageSecret(
    "inbound-email webhook", "COCOON_INBOUND_EMAIL_SECRET_ARN", "COCOON_INBOUND_EMAIL_SECRET", "inbound_email"
)
STAGE_SECRETS = (LINK_SECRET, INBOUND_EMAIL_SECRET)


def secrets_needed(handler: str | None) -> tuple[StageSecret, ...]:
    """The secrets a deployed function holds (its IAM role may read only these; infra/package.py).

    Every function writes mail (whose Message-IDs are signed) or links; only the API verifies the
    raw-mail webhook. A process that is no Lambda function (the CLI) needs them all.
    """
    if handler is None or handler == API_HANDLER:
        return STAGE_SECRETS
    return (LINK_SECRET,)


def require_secrets(handler: str | None = None) -> None:
    """Refuse to start (MissingSecret naming it) unless every secret this process needs is usable."""
    for secret in secrets_needed(handler if handler is not None else os.environ.get("_HANDLER")):
        _keyring(secret)


_checked = False


def refuse_without_secrets(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice middleware for every event type: the first event of a process checks every secret it
    needs, and raises MissingSecret (the invocation fails) until they are all usable."""
    global _checked
    if not _checked:
        require_secrets()
        _checked = True
    return get_response(event)


def link_keyring() -> Keyring:
    """Keys of signed links and of our Message-IDs."""
    return _keyring(LINK_SECRET)


def inbound_email_keyring() -> Keyring:
    """Keys of the raw-mail webhook (`X-Cocoon-Signature`)."""
    return _keyring(INBOUND_EMAIL_SECRET)


def keyring_from_json(value: str, name: str) -> Keyring:
    """Parse the stored format; any other shape is a MissingSecret naming the secret."""
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise MissingSecret(f"secret {name} is not JSON") from exc
    return keyring_from_mapping(data, name)


def keyring_from_mapping(data: Any, name: str) -> Keyring:
    """The stored format, already parsed (Powertools' `transform="json"`)."""
    try:
        current = SigningKey(_text(data["kid"]), _text(data["secret"]))
        previous = tuple(SigningKey(_text(p["kid"]), _text(p["secret"])) for p in data.get("previous", ()))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise MissingSecret(f"secret {name} is not of the form {{'kid': ..., 'secret': ...}}") from exc
    keyring = Keyring(current=current, previous=previous)
    if any(not key.key_id.strip() or not key.secret.strip() for key in keyring.verifying):
        raise MissingSecret(f"secret {name} has an empty kid or secret")
    return keyring


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("kid and secret are strings")
    return value


def _keyring(secret: StageSecret) -> Keyring:
    stage = deployment_stage()
    if stage not in TIME_TRAVEL_STAGES:
        return _deployed_keyring(secret)
    if os.environ.get(secret.value_variable, "").strip():
        return _keyring_from_env(secret.value_variable)
    if stage == "test":
        raise MissingSecret(f"{secret.value_variable} is not set: the test stage takes its keys from the environment")
    return keyring_from_mapping(local_secrets(local_directory()).get(secret.local_key), secret.local_key)


def _deployed_keyring(secret: StageSecret) -> Keyring:
    arn = os.environ.get(secret.arn_variable, "").strip()
    if not arn:
        raise MissingSecret(secret.named("is not configured: the variable is unset"))
    # Imported here: the local and test stages (and the cold-start bench) never load boto3 for this.
    from aws_lambda_powertools.utilities.parameters import get_secret
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, TransformParameterError

    try:
        value = get_secret(arn, transform="json", max_age=SECRET_MAX_AGE_SECONDS)
    except TransformParameterError as exc:
        raise MissingSecret(secret.named("is not JSON of the form {'kid': ..., 'secret': ...}")) from exc
    except GetParameterError as exc:
        # Botocore's message names the error (not found, access denied), never the value.
        raise MissingSecret(secret.named(f"cannot be read: {exc}")) from exc
    keyring = keyring_from_mapping(value, secret.arn_variable)
    for key in keyring.verifying:
        if key.secret in PUBLISHED_SECRETS:
            raise MissingSecret(secret.named(f"key {key.key_id!r} equals a local default: generate a new one"))
        if len(key.secret) < MINIMUM_SECRET_LENGTH:
            raise MissingSecret(secret.named(f"key {key.key_id!r} is shorter than {MINIMUM_SECRET_LENGTH} characters"))
    return keyring


def _keyring_from_env(variable: str) -> Keyring:
    # Comma-separated: the first signs, the rest still verify. Each entry is `kid:secret` or a bare secret.
    entries = [e.strip() for e in os.environ.get(variable, "").split(",") if e.strip()]
    keys = []
    for index, entry in enumerate(entries):
        kid, sep, secret = entry.partition(":")
        keys.append(SigningKey(kid, secret) if sep else SigningKey(f"env{index}", entry))
    if not keys:
        raise MissingSecret(f"{variable} is empty")
    return Keyring(current=keys[0], previous=tuple(keys[1:]))


def local_secrets(local_dir: Path) -> Mapping[str, Any]:
    """The local stage's keys from `<local_dir>/secrets.json`, made once with random values.

    Written to a private temporary file and linked into place, so two processes starting at once
    agree on one set of keys and no reader ever sees half a file. Mode 0600: the keys sign links.
    """
    path = local_dir / LOCAL_SECRETS_FILE
    if not path.exists():
        local_dir.mkdir(parents=True, exist_ok=True)
        generated = {
            secret.local_key: {"kid": "local1", "secret": secrets.token_urlsafe(48), "previous": []}
            for secret in STAGE_SECRETS
        }
        descriptor, temporary = tempfile.mkstemp(dir=local_dir, prefix=".secrets-")  # mkstemp: mode 0600
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(generated, handle, indent=2)
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made them first: use those
        finally:
            os.unlink(temporary)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MissingSecret(f"{path} cannot be read as JSON: delete it to make new local keys") from exc
    if not isinstance(data, dict):
        raise MissingSecret(f"{path} is not a JSON object: delete it to make new local keys")
    return data
