"""Deployment settings read from the environment, with local defaults (never for secrets: shared/secrets.py).

Business rules live in the policy file; this module only says *where* things
are (tables, endpoints, directories, secrets) and which stage we run in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Stages where a request may carry X-Cocoon-Now and a job may take --now.
TIME_TRAVEL_STAGES = frozenset({"local", "test"})
# `make run` writes its DynamoDB Local's address here (in the local directory) while it runs, so the
# `cocoon` command in another terminal works on the same data.
LOCAL_ENDPOINT_FILE = "dynamodb-endpoint"


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_name: str
    idempotency_table_name: str
    dynamodb_endpoint: str | None
    outbox_dir: Path
    attachments_dir: Path
    attachments_bucket: str | None
    billing_queue_url: str | None  # set where billing fans out through SQS (deployed); else it runs in-process
    public_url: str
    mail_from: str
    mail_via_ses: bool
    # The authserv-id of our mail relay's Authentication-Results header (webhook path): only that
    # header says whether a sender is authentic. Unset: local/test take mail unchecked, deployed
    # stages trust no webhook sender (shared/rules/sender_trust.py).
    inbound_authserv_id: str | None = None
    # The SNS topics whose signed messages we take (SPEC §8): a message for another topic is refused.
    # Deployed, the template sets both; unset there, every message is refused (fail closed).
    mail_events_topic_arn: str | None = None
    inbound_email_topic_arn: str | None = None
    # The SES configuration set every mail is sent with, so its events come back (SPEC §12).
    ses_configuration_set: str | None = None

    @property
    def time_travel_allowed(self) -> bool:
        return self.stage in TIME_TRAVEL_STAGES


@cache
def get_settings() -> Settings:
    """Read once per process: Lambda's environment does not change while it runs."""
    env = os.environ
    stage = deployment_stage(env)
    local_dir = local_directory(env)
    return Settings(
        stage=stage,
        region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "eu-central-1")),
        table_name=env.get("COCOON_TABLE", "cocoon"),
        idempotency_table_name=env.get("COCOON_IDEMPOTENCY_TABLE", "cocoon-idempotency"),
        dynamodb_endpoint=env.get("COCOON_DYNAMODB_ENDPOINT") or _running_local_stack(stage, local_dir),
        outbox_dir=Path(env.get("COCOON_OUTBOX_DIR", local_dir / "outbox")),
        attachments_dir=Path(env.get("COCOON_ATTACHMENTS_DIR", local_dir / "attachments")),
        attachments_bucket=env.get("COCOON_ATTACHMENTS_BUCKET") or None,
        billing_queue_url=env.get("COCOON_BILLING_QUEUE_URL") or None,
        public_url=env.get("COCOON_PUBLIC_URL", "http://localhost:8000").rstrip("/"),
        mail_from=env.get("COCOON_MAIL_FROM", "Cocoon <no-reply@cocoon.example>"),
        mail_via_ses=env.get("COCOON_MAIL_TRANSPORT", "ses" if stage not in TIME_TRAVEL_STAGES else "eml") == "ses",
        inbound_authserv_id=env.get("COCOON_INBOUND_AUTHSERV_ID", "").strip() or None,
        mail_events_topic_arn=_topic_arn(env, stage, "COCOON_MAIL_EVENTS_TOPIC_ARN", "cocoon-mail-events"),
        inbound_email_topic_arn=_topic_arn(env, stage, "COCOON_INBOUND_EMAIL_TOPIC_ARN", "cocoon-inbound-email"),
        ses_configuration_set=env.get("COCOON_SES_CONFIGURATION_SET", "").strip() or None,
    )


# The account id AWS's own local tools use: `make run` and the tests play SNS for this one.
LOCAL_ACCOUNT_ID = "000000000000"


def _topic_arn(env: Mapping[str, str], stage: str, variable: str, topic: str) -> str | None:
    """The topic's ARN; the local and test stages, which have no AWS, name a local one."""
    arn = env.get(variable, "").strip()
    if arn or stage not in TIME_TRAVEL_STAGES:
        return arn or None
    region = env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "eu-central-1"))
    return f"arn:aws:sns:{region}:{LOCAL_ACCOUNT_ID}:{topic}"


class StageNotSet(RuntimeError):
    """A deployed function without COCOON_STAGE: it must refuse to start rather than run as `local`."""


def deployment_stage(env: Mapping[str, str] | None = None) -> str:
    """COCOON_STAGE. Unset means `local` on a developer's machine, never in Lambda (SPEC §11): a
    function deployed without it would otherwise honour X-Cocoon-Now and sign with local keys."""
    env = os.environ if env is None else env
    stage = env.get("COCOON_STAGE", "").strip()
    if stage:
        return stage
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise StageNotSet("COCOON_STAGE is not set in this Lambda function: a deployed function never runs as local")
    return "local"


def local_directory(env: Mapping[str, str] | None = None) -> Path:
    """Where `make run` keeps its data (and the local stage its secrets)."""
    env = os.environ if env is None else env
    return Path(env.get("COCOON_LOCAL_DIR", PROJECT_ROOT / ".local"))


def _running_local_stack(stage: str, local_dir: Path) -> str | None:
    """The endpoint of the DynamoDB Local that `make run` serves, for the local stage only."""
    if stage != "local":
        return None
    try:
        return (local_dir / LOCAL_ENDPOINT_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
