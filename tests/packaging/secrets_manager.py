"""A Secrets Manager stand-in for the tests of deployed stages: moto's server, reached over HTTP.

Only the AWS service is stood in for: our code reads the secrets the way it does in Lambda (Powertools'
Parameters utility, boto3), pointed here by `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from infra.dynamodb_local import free_port

REGION = "eu-central-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


def stored_secret(kid: str = "k1", secret: str | None = None, previous: list[dict[str, str]] | None = None) -> str:
    """A secret in the stored format of shared/secrets.py; random unless `secret` is given."""
    value: dict[str, Any] = {"kid": kid, "secret": secret if secret is not None else secrets.token_urlsafe(48)}
    if previous is not None:
        value["previous"] = previous
    return json.dumps(value)


@dataclass
class SecretsManagerStandIn:
    endpoint: str
    client: Any

    def create(self, name: str, value: str) -> str:
        """Store a secret; return its ARN."""
        return str(self.client.create_secret(Name=name, SecretString=value)["ARN"])

    def environment(self) -> dict[str, str]:
        """What a process needs to reach the stand-in as if it were Secrets Manager."""
        return {"AWS_ENDPOINT_URL_SECRETS_MANAGER": self.endpoint, "AWS_REGION": REGION, **CREDENTIALS}


@contextmanager
def secrets_manager() -> Iterator[SecretsManagerStandIn]:
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "secretsmanager",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        yield SecretsManagerStandIn(endpoint, client)
    finally:
        server.stop()
