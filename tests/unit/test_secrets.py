"""Where the local and test stages' signing keys come from, and the stored format (shared/secrets.py)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from shared import secrets
from shared.rules.signing import SigningKey
from shared.settings import StageNotSet, deployment_stage


def test_the_local_stage_makes_random_keys_once_in_a_private_file(tmp_path: Path) -> None:
    first = secrets.local_secrets(tmp_path)
    path = tmp_path / secrets.LOCAL_SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secrets.local_secrets(tmp_path) == first  # a restart keeps them: links mailed yesterday still open
    keys = [secrets.keyring_from_mapping(first[s.local_key], s.local_key).current for s in secrets.STAGE_SECRETS]
    assert len({key.secret for key in keys}) == len(keys)
    assert all(len(key.secret) >= secrets.MINIMUM_SECRET_LENGTH for key in keys)
    assert all(key.secret not in secrets.PUBLISHED_SECRETS for key in keys)
    other = tmp_path / "elsewhere"
    assert secrets.local_secrets(other) != first  # another checkout, other keys: nothing is fixed
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".secrets-")] == []  # no temporary left


def test_the_local_stage_reads_the_file_unless_the_environment_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COCOON_STAGE", "local")
    monkeypatch.setenv("COCOON_LOCAL_DIR", str(tmp_path))
    monkeypatch.delenv("COCOON_LINK_SECRET", raising=False)
    stored = secrets.local_secrets(tmp_path)["link"]
    assert secrets.link_keyring().current == SigningKey(stored["kid"], stored["secret"])
    monkeypatch.setenv("COCOON_LINK_SECRET", "k9:an-override-for-a-test,k8:the-one-before")
    keyring = secrets.link_keyring()
    assert keyring.current == SigningKey("k9", "an-override-for-a-test")
    assert keyring.find("k8") == SigningKey("k8", "the-one-before")


def test_the_test_stage_takes_its_keys_from_the_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCOON_STAGE", "test")
    monkeypatch.delenv("COCOON_INBOUND_EMAIL_SECRET", raising=False)
    with pytest.raises(secrets.MissingSecret, match="COCOON_INBOUND_EMAIL_SECRET is not set"):
        secrets.inbound_email_keyring()


def test_the_stored_format_and_its_refusals() -> None:
    keyring = secrets.keyring_from_json(
        json.dumps({"kid": "k2", "secret": "new", "previous": [{"kid": "k1", "secret": "old"}]}), "X"
    )
    assert keyring.current == SigningKey("k2", "new") and keyring.find("k1") == SigningKey("k1", "old")
    for bad in (
        "not json",
        "[]",
        '{"kid": "k1"}',
        '{"kid": "", "secret": "s"}',
        '{"kid": "k1", "secret": 7}',
        '{"kid": "k1", "secret": "s", "previous": [{"kid": "k0"}]}',
    ):
        with pytest.raises(secrets.MissingSecret, match="secret X"):
            secrets.keyring_from_json(bad, "X")


def test_no_stage_defaults_to_local_inside_lambda() -> None:
    assert deployment_stage({}) == "local"
    assert deployment_stage({"COCOON_STAGE": "prod", "AWS_LAMBDA_FUNCTION_NAME": "f"}) == "prod"
    with pytest.raises(StageNotSet):
        deployment_stage({"AWS_LAMBDA_FUNCTION_NAME": "cocoon-prod-APIHandler"})
    with pytest.raises(StageNotSet):
        deployment_stage({"AWS_LAMBDA_FUNCTION_NAME": "cocoon-prod-APIHandler", "COCOON_STAGE": " "})


def test_only_the_api_holds_the_webhook_keys() -> None:
    assert secrets.secrets_needed("app.app") == secrets.STAGE_SECRETS
    assert secrets.secrets_needed(None) == secrets.STAGE_SECRETS  # the CLI: everything
    for handler in ("app.job_mail", "app.inbound_email_from_ses", "app.bill_accounts_from_queue"):
        assert secrets.secrets_needed(handler) == (secrets.LINK_SECRET,)
