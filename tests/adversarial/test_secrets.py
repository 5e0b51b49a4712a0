"""The secrets boundary, tried as an attacker would (issue 12 item 2, SPEC §11).

The attacker knows the code base, so knows every value that was ever a default. Each test is an attempt
to make a deployed stage run with a known secret (or with none, or as `local`), or to find a secret in
what we ship, and the expected refusal. The deployed stage runs in its own process, as in Lambda: this
project's code with the prod stage's environment, Secrets Manager stood in for by moto's server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.build import packaged_dist
from tests.packaging.secrets_manager import SecretsManagerStandIn, secrets_manager, stored_secret

PROJECT_ROOT = Path(__file__).resolve().parents[2]
OLD_LINK_DEFAULT = "local-link-secret"
OLD_INBOUND_DEFAULT = "local-inbound-secret"


@pytest.fixture(scope="module")
def stand_in() -> Iterator[SecretsManagerStandIn]:
    with secrets_manager() as service:
        yield service


@pytest.fixture(scope="module")
def genuine(stand_in: SecretsManagerStandIn) -> dict[str, str]:
    """ARNs of well-made secrets, as the template's GenerateSecretString makes them."""
    return {
        "COCOON_LINK_SECRET_ARN": stand_in.create("genuine/link-signing", stored_secret()),
        "COCOON_INBOUND_EMAIL_SECRET_ARN": stand_in.create("genuine/inbound-email", stored_secret()),
    }


def _prod_environment(stand_in: SecretsManagerStandIn | None = None, **variables: str) -> dict[str, str]:
    """This test run's environment made into the prod stage's: no test keys, no time travel."""
    env = {k: v for k, v in os.environ.items() if k not in ("COCOON_LINK_SECRET", "COCOON_INBOUND_EMAIL_SECRET")}
    env.update(COCOON_STAGE="prod", COCOON_MAIL_TRANSPORT="eml", AWS_EC2_METADATA_DISABLED="true")
    if stand_in is not None:
        env.update(stand_in.environment())
    env.update(variables)
    return {k: v for k, v in env.items() if v != ""}  # "" unsets


def _run(script: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in a fresh interpreter; its logs (Powertools writes them to stdout) and errors in `.stdout`."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )


# The first request of a function: it must not be served.
SERVE_API = """
from chalice.test import Client
import app
with Client(app.app, stage_name="adversarial") as client:  # no stage of chalice.json: the environment as given
    print("status", client.http.get("/openapi.json").status_code)
"""
SCHEDULED_EVENT = {
    "version": "0",
    "id": "adversarial",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-23T10:00:00Z",
    "region": "eu-central-1",
    "resources": [],
    "detail": {},
}


def _run_job(attribute: str) -> str:
    return f"import app; app.{attribute}({SCHEDULED_EVENT!r}, None); print('JOB-RAN')"


def _lambda(handler: str) -> dict[str, str]:
    return {"AWS_LAMBDA_FUNCTION_NAME": f"cocoon-prod-{handler}", "_HANDLER": handler}


def _refused_request(ran: subprocess.CompletedProcess[str]) -> bool:
    return "status 200" not in ran.stdout


# --- a deployed function with no secret, or a known one, serves nothing and runs nothing ------------------


def test_the_prod_api_without_its_secrets_serves_no_request() -> None:
    ran = _run(SERVE_API, _prod_environment(**_lambda("app.app")))
    assert _refused_request(ran) and "status 500" in ran.stdout, ran.stdout
    assert "MissingSecret" in ran.stdout and "COCOON_LINK_SECRET_ARN" in ran.stdout, ran.stdout[-2000:]


@pytest.mark.parametrize(
    ("variable", "known_value"),
    [("COCOON_LINK_SECRET_ARN", OLD_LINK_DEFAULT), ("COCOON_INBOUND_EMAIL_SECRET_ARN", OLD_INBOUND_DEFAULT)],
)
def test_the_prod_api_with_an_old_local_default_in_secrets_manager_serves_no_request(
    stand_in: SecretsManagerStandIn, genuine: dict[str, str], variable: str, known_value: str
) -> None:
    known = stand_in.create(f"known/{variable}", stored_secret(secret=known_value))
    ran = _run(SERVE_API, _prod_environment(stand_in, **_lambda("app.app"), **{**genuine, variable: known}))
    assert _refused_request(ran), ran.stdout
    assert variable in ran.stdout and "local default" in ran.stdout, ran.stdout[-2000:]


def test_the_prod_api_with_genuine_secrets_serves(stand_in: SecretsManagerStandIn, genuine: dict[str, str]) -> None:
    """The refusals above are about the secrets alone."""
    ran = _run(SERVE_API, _prod_environment(stand_in, **_lambda("app.app"), **genuine))
    assert "status 200" in ran.stdout, ran.stdout[-2000:]


def test_an_old_default_kept_as_a_previous_key_is_refused_too(
    stand_in: SecretsManagerStandIn, genuine: dict[str, str]
) -> None:
    value = stored_secret(kid="k2", previous=[{"kid": "k1", "secret": OLD_LINK_DEFAULT}])
    arn = stand_in.create("known/prev", value)
    ran = _run(
        SERVE_API, _prod_environment(stand_in, **_lambda("app.app"), **{**genuine, "COCOON_LINK_SECRET_ARN": arn})
    )
    assert _refused_request(ran) and "local default" in ran.stdout, ran.stdout[-2000:]


def test_a_prod_job_without_its_secret_does_not_run(stand_in: SecretsManagerStandIn) -> None:
    ran = _run(_run_job("job_trial_expiry"), _prod_environment(stand_in, **_lambda("app.job_trial_expiry")))
    assert ran.returncode != 0 and "JOB-RAN" not in ran.stdout
    assert "MissingSecret" in ran.stdout and "COCOON_LINK_SECRET_ARN" in ran.stdout, ran.stdout[-2000:]


def test_a_prod_job_whose_secret_arn_names_nothing_does_not_run(stand_in: SecretsManagerStandIn) -> None:
    absent = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:cocoon-prod/link-signing-AbCdEf"
    env = _prod_environment(stand_in, **_lambda("app.job_lifecycle"), COCOON_LINK_SECRET_ARN=absent)
    ran = _run(_run_job("job_lifecycle"), env)
    assert ran.returncode != 0 and "JOB-RAN" not in ran.stdout
    assert "COCOON_LINK_SECRET_ARN" in ran.stdout and "cannot be read" in ran.stdout, ran.stdout[-2000:]


def test_a_secret_of_another_shape_is_refused(stand_in: SecretsManagerStandIn) -> None:
    plain = stand_in.create("plain/link", "just-a-password-someone-typed-in-the-console-0123456789")
    env = _prod_environment(stand_in, **_lambda("app.job_sla_watch"), COCOON_LINK_SECRET_ARN=plain)
    ran = _run(_run_job("job_sla_watch"), env)
    assert ran.returncode != 0 and "COCOON_LINK_SECRET_ARN" in ran.stdout and "kid" in ran.stdout


def test_the_prod_cli_without_secrets_refuses_to_start(db: str) -> None:
    script = "from functions.cli import main; raise SystemExit(main(['run-job', 'mail']))"
    ran = _run(script, _prod_environment())
    assert ran.returncode != 0
    assert "Cannot start" in ran.stdout and "COCOON_LINK_SECRET_ARN" in ran.stdout, ran.stdout[-2000:]


def test_a_lambda_function_without_a_stage_does_not_run_as_local() -> None:
    """Unset COCOON_STAGE would mean `local`: time travel and local keys, in AWS."""
    ran = _run(SERVE_API, _prod_environment(COCOON_STAGE="", **_lambda("app.app")))
    assert _refused_request(ran)
    assert "COCOON_STAGE is not set" in ran.stdout, ran.stdout[-2000:]


# --- a webhook forged with the old default is refused where the real keys are in Secrets Manager ----------


WEBHOOK = r"""
import json, sys
from chalice.test import Client
from app import app

results = []
with Client(app, stage_name="adversarial") as client:  # no stage of chalice.json: the environment as given
    for headers in json.loads(sys.argv[1]):
        response = client.http.post("/webhooks/inbound-email", headers=headers, body=sys.argv[2].encode())
        results.append(response.status_code)
print(json.dumps(results))
"""


def _signature(secret: str, timestamp: str, body: bytes) -> str:
    """SPEC §8: `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, made by hand as an attacker would."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def test_a_webhook_signed_with_the_old_local_default_is_refused_in_prod(
    db: str, stand_in: SecretsManagerStandIn
) -> None:
    real = "k1", "r" * 20 + os.urandom(16).hex()
    env = _prod_environment(
        stand_in,
        COCOON_LINK_SECRET_ARN=stand_in.create("webhook/link", stored_secret()),
        COCOON_INBOUND_EMAIL_SECRET_ARN=stand_in.create("webhook/inbound", stored_secret(*real)),
    )
    message = EmailMessage()
    message["From"] = "mallory@attacker.example"
    message["To"] = "support@cocoon.example"
    message["Subject"] = "Please change the admin e-mail"
    message["Message-ID"] = f"<{time.time_ns()}@attacker.example>"
    message.set_content("Hello")
    raw = message.as_bytes()
    timestamp = str(int(time.time()))

    def headers(secret: str) -> dict[str, Any]:
        signature = _signature(secret, timestamp, raw)
        return {"Content-Type": "message/rfc822", "X-Cocoon-Timestamp": timestamp, "X-Cocoon-Signature": signature}

    attempts = [headers(OLD_INBOUND_DEFAULT), headers("test-secret-new"), headers(real[1])]
    ran = _run(WEBHOOK, env, json.dumps(attempts), raw.decode())
    assert ran.returncode == 0, ran.stdout[-3000:]
    forged_old_default, forged_test_value, genuine = json.loads(ran.stdout.strip().splitlines()[-1])
    assert forged_old_default == 401
    assert forged_test_value == 401
    assert genuine == 202  # the key in Secrets Manager is the one that verifies


# --- what we ship holds no secret ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return json.loads((packaged_dist(tmp_path_factory) / "sam.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.packaging
def test_the_packaged_template_holds_no_secret_string(template: dict[str, Any]) -> None:
    text = json.dumps(template)
    for known in (OLD_LINK_DEFAULT, OLD_INBOUND_DEFAULT, "test-secret-new", "test-secret-old"):
        assert known not in text
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::SecretsManager::Secret":
            assert "SecretString" not in properties, name  # generated by Secrets Manager, never written
            assert json.loads(properties["GenerateSecretString"]["SecretStringTemplate"]).keys() == {"kid"}, name
        if resource["Type"] == "AWS::Serverless::Function":
            variables = properties["Environment"]["Variables"]
            assert "COCOON_LINK_SECRET" not in variables and "COCOON_INBOUND_EMAIL_SECRET" not in variables, name
            secret_refs = {k: v for k, v in variables.items() if k.endswith("_SECRET_ARN")}
            assert secret_refs, name
            for value in secret_refs.values():
                assert template["Resources"][value["Ref"]]["Type"] == "AWS::SecretsManager::Secret", name
