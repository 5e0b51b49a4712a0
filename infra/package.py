"""`make package`: build the deployable artefacts, `dist/sam.json` and `dist/deployment.zip` (SPEC §10).

Chalice alone would zip only `app.py`, `chalicelib/` and `vendor/`, and would
know nothing of our tables, bucket or hand-written IAM policy. So this module
builds a staging Chalice project under `build/chalice/` (our packages go into
its `vendor/`, whose contents Chalice puts at the zip root), runs
`chalice package` with a merge template that adds what Chalice cannot see, and
then checks the result: the zip holds our packages and data files, the
template passes cfn-lint, and the business policy loads. Only a build that
passes every check reaches `dist/`.

Which stage: `COCOON_STAGE=prod make package` (or `--stage prod`). There is no default: a stage that
is unset, `local` or `test` is refused, and so is one whose functions would not run as a deployed
stage (chalice.json must set its COCOON_STAGE to something other than local/test).

Usage: COCOON_STAGE=<stage> python -m infra.package [--out dist] [--stage <stage>] [--build-dir build]
"""

from __future__ import annotations

import argparse
import compileall
import copy
import fcntl
import filecmp
import json
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra import inbound_email_topic, mail_events_topic, roles
from infra.alarms import dead_letters_alarm
from infra.roles import ATTACHMENTS_BUCKET, BILLING_QUEUE_ID
from infra.stage_secrets import secret_environment, secret_resources
from infra.tables import MAIN_TABLE, TABLE_ENV, table_properties
from shared.api.errors import NOT_FOUND_CODE, NOT_FOUND_MESSAGE, error_json
from shared.secrets import secrets_needed
from shared.settings import TIME_TRAVEL_STAGES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The one region Cocoon runs in (customer data stays in Frankfurt); the template refuses any other.
REGION = "eu-central-1"
STAGE_VARIABLE = "COCOON_STAGE"
# Our packages, copied to the zip root through the staging project's vendor/.
PACKAGES = ("functions", "shared")
# Chalice injects its own runtime (chalice/app.py, chalice/__init__.py) into the zip. Listing
# chalice in requirements.txt would only add its CLI dependencies (click, PyYAML, ...) to the zip.
NOT_VENDORED = frozenset({"chalice"})
# What a deployment zip must contain, or the Lambda fails at import or at the first mail.
REQUIRED_IN_ZIP = (
    "app.py",
    "chalice/app.py",
    "functions/__init__.py",
    "shared/__init__.py",
    "shared/policy.toml",
    "policy_snapshot.pickle",  # the validated policy (shared/snapshot.py): a cold start validates nothing
    "holiday_snapshot.pickle",  # the policy's holiday dates (shared/holiday_snapshot.py): no `holidays` import
    "dataclass_code.marshal",  # dataclasses' compiled methods (shared/dataclass_code.py): none compiled cold
    "regex_code.marshal",  # slow patterns' compiled code (shared/regex_code.py): e-mail checks compile none
    "shared/locale/de/LC_MESSAGES/desk.po",  # the desk's German text (compiled when first loaded)
)
REQUIRED_PREFIXES_IN_ZIP = ("shared/templates/mail/", "shared/templates/pages/", "botocore_dynamodb/",
                           "mail_bytecode/")
# Logical ids this module adds to the template (the roles' own are in infra/roles.py).
ATTACHMENTS_BUCKET_POLICY = "AttachmentsBucketPolicy"
ATTACHMENTS_ENV = "COCOON_ATTACHMENTS_BUCKET"
BILLING_DEAD_LETTERS_ID = "BillingDeadLetterQueue"
BILLING_DEAD_LETTERS_ALARM_ID = "BillingDeadLettersAlarm"
BILLING_QUEUE_ENV = "COCOON_BILLING_QUEUE_URL"
MAIL_EVENTS_TOPIC_ENV = "COCOON_MAIL_EVENTS_TOPIC_ARN"
INBOUND_EMAIL_TOPIC_ENV = "COCOON_INBOUND_EMAIL_TOPIC_ARN"
INBOUND_EMAIL_TOPIC_NAME = "cocoon-inbound-email"  # app.py subscribes by this name
# A message comes back this often before it goes to the dead-letter queue.
BILLING_MAX_RECEIVES = 5
REST_API = "RestAPI"  # the AWS::Serverless::Api that `chalice package` generates
# API Gateway's stage throttling, for every method: a caller past this gets 429 before any Lambda runs.
API_THROTTLE_RATE_PER_SECOND = 100
API_THROTTLE_BURST = 200
# What `chalice package` prints (and then carries on) when a dependency has no usable wheel.
_MISSING_DEPENDENCIES = re.compile(r"Could not install dependencies:\n(.*?)\nYou will have to build", re.DOTALL)


class PackagingError(RuntimeError):
    """The build or one of its checks failed; the message says what to fix."""


@dataclass
class PackageResult:
    template: Path
    zip_file: Path
    stage: str
    zip_bytes: int
    zip_entries: int
    resources: dict[str, str]
    lint_warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


# --- inputs -----------------------------------------------------------------------------------------


def runtime_requirements(pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> list[str]:
    """pyproject's runtime `dependencies`, the only ones the zip may carry (dev extras stay out).

    boto3 comes from the Lambda runtime and is not listed; botocore arrives anyway
    because PynamoDB requires it, and Chalice vendors whatever the requirements pull in.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements: list[str] = []
    for requirement in project.get("dependencies", []):
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if match is None:
            raise PackagingError(f"pyproject.toml: cannot read the dependency {requirement!r}")
        if re.sub(r"[-_.]+", "-", match.group(1)).lower() in NOT_VENDORED:
            continue
        requirements.append(requirement.strip())
    return requirements


def _chalice_json(config_file: Path = PROJECT_ROOT / "chalice.json") -> dict[str, Any]:
    return json.loads(config_file.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def chalice_config(stage: str, config_file: Path = PROJECT_ROOT / "chalice.json") -> dict[str, Any]:
    """chalice.json with the stage made deployable: our own policy file instead of autogen.

    Chalice's policy autogen reads boto3 calls from app.py and cannot see PynamoDB's,
    so the deployed roles get hand-written policies (infra/roles.py).
    """
    config = _chalice_json(config_file)
    stage_runs_as(config, stage)
    deployable = copy.deepcopy(config)
    deployable["stages"][stage]["autogen_policy"] = False
    deployable["stages"][stage]["iam_policy_file"] = policy_file_name(stage)
    return deployable


def stage_runs_as(config: dict[str, Any], stage: str) -> str:
    """The COCOON_STAGE the stage's functions run as: set, and neither `local` nor `test`."""
    stages = config.get("stages", {})
    if stage not in stages:
        raise PackagingError(f"chalice.json has no stage {stage!r} (stages: {', '.join(sorted(stages))})")
    runs_as = str(stage_environment(config, stage).get(STAGE_VARIABLE, "")).strip()
    if stage in TIME_TRAVEL_STAGES or runs_as in TIME_TRAVEL_STAGES:
        # A deployed stage must ignore X-Cocoon-Now; the local and test stages honour it.
        raise PackagingError(f"stage {stage!r} allows time travel and must not be deployed")
    if not runs_as:
        # Unset would run as `local` off Lambda; in Lambda the functions refuse to start (shared/settings.py).
        raise PackagingError(f"stage {stage!r} sets no {STAGE_VARIABLE} in chalice.json: a deployed stage must")
    return runs_as


def policy_file_name(stage: str) -> str:
    return f"policy-{stage}.json"


def stage_environment(config: dict[str, Any], stage: str) -> dict[str, str]:
    """The environment a stage's functions get: the app-wide variables, then the stage's own."""
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def table_names(config: dict[str, Any], stage: str) -> dict[str, str]:
    """Table name per logical id, as the stage's environment tells the code (COCOON_TABLE, ...)."""
    env = stage_environment(config, stage)
    missing = [name for name in TABLE_ENV.values() if not env.get(name)]
    if missing:
        raise PackagingError(f"stage {stage!r} sets no {', '.join(missing)} in chalice.json")
    return {logical_id: env[variable] for logical_id, variable in TABLE_ENV.items()}


def check_policy() -> None:
    """Refuse to package a broken policy.toml: the deployed functions would fail on first use."""
    from shared.policy import PolicyError, load_policy

    try:
        load_policy()
    except PolicyError as exc:
        raise PackagingError(str(exc)) from exc


def check_route_index() -> None:
    """Refuse to package a stale route index: a route missing from it would not be served at all."""
    from infra.route_index import INDEX_FILE, index_is_current

    if not index_is_current():
        raise PackagingError(f"{INDEX_FILE} differs from the routes' declarations: run `make routes`")


# --- the staging Chalice project ----------------------------------------------------------------------


def prepare_staging(project_dir: Path, stage: str, config: dict[str, Any]) -> None:
    """Refresh app.py, config, requirements and vendor/ in the staging project.

    `.chalice/deployments/` is kept: Chalice reuses a zip whose requirements and
    files hash the same, so a rerun without changes downloads nothing.
    """
    chalice_dir = project_dir / ".chalice"
    chalice_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(PROJECT_ROOT / "app.py", project_dir / "app.py")
    (chalice_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    # Chalice requires the policy file; the merge template replaces each role's policy with its own
    # (infra/roles.py), which can name the tables, bucket, queues and secrets (ARNs known only in the stack).
    placeholder = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
    }
    (chalice_dir / policy_file_name(stage)).write_text(json.dumps(placeholder, indent=2) + "\n", encoding="utf-8")
    (project_dir / "requirements.txt").write_text("\n".join(runtime_requirements()) + "\n", encoding="utf-8")
    vendor = project_dir / "vendor"
    shutil.rmtree(vendor, ignore_errors=True)
    for package in PACKAGES:
        shutil.copytree(PROJECT_ROOT / package, vendor / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _compile_bytecode(vendor / package)
    # The mails' compiled templates (shared/mail/bytecode.py): a cold Lambda does not compile them again.
    from shared.mail.bytecode import PACKAGED_FOLDER as MAIL_BYTECODE

    fill_mail_bytecode(vendor / MAIL_BYTECODE.name, vendor / "shared" / "templates" / "mail")
    # The desk's CSS and scripts from npm (shared/api/static_assets.py): the Lambda has no node_modules.
    from shared.api.static_assets import vendored_sources

    for name, source in vendored_sources().items():
        if not source.is_file():
            raise PackagingError(f"{source} is missing: run `npm --prefix infra ci` (make install)")
        (vendor / "shared" / "static" / "vendor").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, vendor / "shared" / "static" / "vendor" / name)


def fill_mail_bytecode(folder: Path, root: Path) -> int:
    """Compile every mail text under `root` into `folder` (shared/mail/bytecode.py); how many texts."""
    from shared.mail import render
    from shared.mail.bytecode import bytecode_cache, compiled_text

    cache_ = bytecode_cache(folder)
    environment = render._environment(str(root))
    texts = 0
    for language in render.available_languages(root):
        for path in sorted((root / language).glob("*.txt")):
            if path.name.startswith("_"):
                continue  # partials are included by name through the loader, not compiled as texts
            source, _, _ = environment.loader.get_source(environment, f"{language}/{path.name}")
            head, _, body = source.partition("\n\n")
            for text in (head, body):
                compiled_text(environment, text, cache_)
                texts += 1
    return texts


def run_chalice_package(project_dir: Path, out: Path, stage: str, merge_template: Path | None = None) -> str:
    """Run `chalice package` in the staging project; return its output, failing on missing wheels."""
    shutil.rmtree(out, ignore_errors=True)
    command = [str(_venv_bin("chalice")), "package", "--stage", stage]
    if merge_template is not None:
        command += ["--merge-template", str(merge_template)]
    command.append(str(out))
    env = {
        **_environ(),
        # Chalice needs a region to build the template; no credentials are needed or used.
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    process = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True, check=False)
    output = process.stdout + process.stderr
    missing = _MISSING_DEPENDENCIES.search(output)
    if missing:
        # Chalice caches the incomplete zip and would reuse it silently next time: drop it.
        shutil.rmtree(project_dir / ".chalice" / "deployments", ignore_errors=True)
        names = ", ".join(line.strip() for line in missing.group(1).splitlines() if line.strip())
        raise PackagingError(f"no manylinux wheel for python3.11 x86_64 (Lambda, glibc 2.26) of: {names}")
    if process.returncode != 0:
        raise PackagingError(f"chalice package failed ({process.returncode}):\n{output.strip()}")
    return output


def prune_cached_zips(project_dir: Path, keep: Path) -> None:
    """Keep only the cached deployment zip that was just used, so build/ does not grow per change."""
    deployments = project_dir / ".chalice" / "deployments"
    for cached in deployments.glob("*.zip"):
        if not filecmp.cmp(cached, keep, shallow=False):
            cached.unlink()


# --- the merge template -------------------------------------------------------------------------------


def _attachments_bucket() -> dict[str, dict[str, Any]]:
    return {
        ATTACHMENTS_BUCKET: {
            "Type": "AWS::S3::Bucket",
            # Ticket attachments are customer data: deleting the stack must not delete them.
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "AbortIncompleteUploads",
                            "Status": "Enabled",
                            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                        }
                    ]
                },
            },
        },
        ATTACHMENTS_BUCKET_POLICY: {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": ATTACHMENTS_BUCKET},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "TlsOnly",
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [
                                {"Fn::GetAtt": [ATTACHMENTS_BUCKET, "Arn"]},
                                {"Fn::Sub": f"${{{ATTACHMENTS_BUCKET}.Arn}}/*"},
                            ],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                },
            },
        },
    }


def _billing_queue(config: dict[str, Any], stage: str) -> dict[str, dict[str, Any]]:
    """The nightly billing's work queue (named as app.py's consumer expects), its dead letters and an alarm.

    SQS hides a received message for the visibility timeout; AWS asks for six times the consumer's
    timeout, so a batch still being billed is never handed to a second consumer meanwhile.
    """
    from shared.services.billing.sizes import BILLING_QUEUE as BILLING_QUEUE_NAME

    timeout = int(config["stages"][stage].get("lambda_timeout", config.get("lambda_timeout", 60)))
    return {
        BILLING_DEAD_LETTERS_ID: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": f"{BILLING_QUEUE_NAME}-dead-letters",
                "MessageRetentionPeriod": 14 * 24 * 3600,  # the longest SQS keeps: time to look and redrive
                "SqsManagedSseEnabled": True,
            },
        },
        BILLING_QUEUE_ID: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": BILLING_QUEUE_NAME,
                "VisibilityTimeout": 6 * timeout,
                "MessageRetentionPeriod": 4 * 24 * 3600,  # an account not billed by then is due again anyway
                "SqsManagedSseEnabled": True,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": [BILLING_DEAD_LETTERS_ID, "Arn"]},
                    "maxReceiveCount": BILLING_MAX_RECEIVES,
                },
            },
        },
        BILLING_DEAD_LETTERS_ALARM_ID: dead_letters_alarm(
            BILLING_DEAD_LETTERS_ID, "Accounts the billing consumer failed to bill 5 times: look at the dead letters."
        ),
    }


def _tables(names: dict[str, str]) -> dict[str, dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = {}
    for logical_id, properties in table_properties().items():
        resource: dict[str, Any] = {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {"TableName": names[logical_id], **properties},
        }
        if logical_id == MAIN_TABLE:
            # The accounts and their history: never deleted with the stack. Idempotency
            # records expire within hours and may go with it.
            resource["DeletionPolicy"] = "Retain"
            resource["UpdateReplacePolicy"] = "Retain"
        resources[logical_id] = resource
    return resources


def not_found_gateway_response() -> dict[str, Any]:
    """API Gateway's answer to an unknown route (MISSING_AUTHENTICATION_TOKEN, a 403 by default).

    Written into the RestAPI's OpenAPI body rather than as a separate
    AWS::ApiGateway::GatewayResponse resource: a separate resource is not part of
    the Deployment, so the stage would keep the default answer until some later
    redeployment. In the body it changes the deployment hash and ships with it.
    """
    return {
        "statusCode": "404",
        "responseParameters": {
            "gatewayresponse.header.Content-Type": "'application/json'",
            "gatewayresponse.header.Cache-Control": "'no-store'",
            "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
        },
        "responseTemplates": {"application/json": error_json(NOT_FOUND_CODE, NOT_FOUND_MESSAGE)},
    }


def merge_template(generated: dict[str, Any], config: dict[str, Any], stage: str) -> dict[str, Any]:
    """What we add to Chalice's template; `chalice package --merge-template` deep-merges it.

    Role and function ids are read from Chalice's own template (a first, unmerged
    run) rather than guessed, so a new scheduled function gets its policy and
    environment without anyone editing this file.
    """
    resources = generated.get("Resources", {})
    functions = [name for name, r in resources.items() if r.get("Type") == "AWS::Serverless::Function"]
    roles = sorted(
        {
            role["Fn::GetAtt"][0]
            for name in functions
            if isinstance(role := resources[name]["Properties"].get("Role"), dict) and "Fn::GetAtt" in role
        }
    )
    if not functions or not roles or REST_API not in resources:
        raise PackagingError(
            f"chalice's template has unexpected resources ({', '.join(sorted(resources))}): "
            f"expected functions with Chalice-managed roles and {REST_API}"
        )
    merged: dict[str, Any] = {
        "Description": f"Cocoon back office, stage {stage}, for {REGION} only (built by infra/package.py)",
        "Metadata": {
            "Cocoon": {"Stage": stage, "Region": REGION, "BuiltBy": "python -m infra.package"},
            "cfn-lint": {"config": {"regions": [REGION]}},
        },
        "Rules": {
            "OnlyInFrankfurt": {
                "Assertions": [
                    {
                        "Assert": {"Fn::Equals": [{"Ref": "AWS::Region"}, REGION]},
                        "AssertDescription": f"Cocoon keeps customer data in {REGION}; deploy there.",
                    }
                ]
            }
        },
        "Resources": {
            **_tables(table_names(config, stage)),
            **_attachments_bucket(),
            **_billing_queue(config, stage),
        },
        "Outputs": {
            "AttachmentsBucketName": {"Value": {"Ref": ATTACHMENTS_BUCKET}},
            "TableName": {"Value": {"Ref": MAIN_TABLE}},
            "BillingQueueUrl": {"Value": {"Ref": BILLING_QUEUE_ID}},
            # The SES receipt rule's SNS action publishes here (set up with the domain's MX, outside the stack).
            "InboundEmailTopicArn": {"Value": {"Ref": inbound_email_topic.TOPIC_ID}},
        },
    }
    if len(roles) != len(functions):
        raise PackagingError(f"chalice's template shares roles between functions ({', '.join(roles)}): one each")
    for function in functions:
        merged["Resources"].update(_function_additions(resources, function, stage))
    # Each SNS topic app.py subscribes to, with its policy, dead letters and alarm: one consumer each.
    topics = {INBOUND_EMAIL_TOPIC_NAME: inbound_email_topic.INBOUND_EMAIL, mail_events_topic.TOPIC_NAME: None}
    consumers: dict[str, str] = {}
    for consumer in [name for name in functions if inbound_email_topic.sns_events(resources[name])]:
        events = inbound_email_topic.sns_events(resources[consumer])
        names = {inbound_email_topic.topic_name(event) for event in events.values()}
        if len(names) != 1:
            raise PackagingError(f"{consumer} subscribes to several topics: {', '.join(sorted(names))}")
        name = names.pop()
        if name not in topics or name in consumers:
            raise PackagingError(f"{consumer} subscribes to {name}: not a topic of ours, or one with a consumer")
        consumers[name] = consumer
        ids = topics[name] or mail_events_topic.topic_ids(stage)
        merged["Resources"].update(inbound_email_topic.topic_resources(name, consumer, ids))
        _deep_update(merged["Resources"][consumer], inbound_email_topic.consumer_addition(list(events), ids))
    if mail_events_topic.TOPIC_NAME in consumers:
        merged["Resources"].update(mail_events_topic.configuration_set_resources(stage))
        merged["Outputs"]["MailEventsTopicArn"] = {"Value": {"Ref": mail_events_topic.MAIL_EVENTS.topic}}
        merged["Outputs"]["MailConfigurationSetName"] = {"Value": {"Ref": mail_events_topic.CONFIGURATION_SET_ID}}
    merged["Resources"].update(secret_resources(stage))
    gateway_responses = {"MISSING_AUTHENTICATION_TOKEN": not_found_gateway_response()}
    merged["Resources"][REST_API] = {
        "Properties": {
            "DefinitionBody": {"x-amazon-apigateway-gateway-responses": gateway_responses},
            "MethodSettings": [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": API_THROTTLE_RATE_PER_SECOND,
                    "ThrottlingBurstLimit": API_THROTTLE_BURST,
                }
            ],
        }
    }
    return merged


def _function_additions(resources: dict[str, Any], function: str, stage: str) -> dict[str, dict[str, Any]]:
    """One function's own role policy, log group, name, environment and event settings."""
    properties = resources[function]["Properties"]
    handler = str(properties["Handler"])
    role = properties["Role"]["Fn::GetAtt"][0]
    try:
        policy = roles.policy_document(handler, function)
    except roles.UndeclaredFunction as exc:
        raise PackagingError(str(exc)) from exc
    # The queue's Ref also orders the stack: Chalice names the consumer's queue by an ARN string,
    # which alone would let CloudFormation create the event source before the queue.
    variables = {
        ATTACHMENTS_ENV: {"Ref": ATTACHMENTS_BUCKET},
        BILLING_QUEUE_ENV: {"Ref": BILLING_QUEUE_ID},
        # The topics whose signed messages the consumers take (any other is refused), and the
        # configuration set every mail is sent with (its events come back on the mail events topic).
        # (The ARNs are written out from the fixed names rather than by Ref: the consumers' DependsOn
        # already orders them after the topics, and a Ref would order every function after both.)
        MAIL_EVENTS_TOPIC_ENV: topic_arn(mail_events_topic.TOPIC_NAME),
        INBOUND_EMAIL_TOPIC_ENV: topic_arn(INBOUND_EMAIL_TOPIC_NAME),
        mail_events_topic.CONFIGURATION_SET_ENV: {"Ref": mail_events_topic.CONFIGURATION_SET_ID},
        **secret_environment(secrets_needed(handler)),
    }
    addition: dict[str, Any] = {
        "Properties": {
            "FunctionName": roles.function_name(stage, function),
            "LoggingConfig": {"LogGroup": {"Ref": roles.log_group_id(function)}},
            "Environment": {"Variables": variables},
        }
    }
    sqs_events = {name: e for name, e in properties.get("Events", {}).items() if e.get("Type") == "SQS"}
    if sqs_events:
        # Chalice 1.34 cannot ask for partial batch responses: without this, Lambda ignores the
        # consumer's batchItemFailures and returns the whole batch, or deletes it all.
        addition["Properties"]["Events"] = {
            name: {"Properties": {"FunctionResponseTypes": ["ReportBatchItemFailures"]}} for name in sqs_events
        }
        # Reserved as many as the event source may run at once: the consumer always gets them, and a
        # flood of billing work can never take the rest of the account's concurrency (the API's).
        concurrency = [e["Properties"].get("ScalingConfig", {}).get("MaximumConcurrency") for e in sqs_events.values()]
        if None in concurrency:
            raise PackagingError(f"{function}: a queue consumer needs maximum_concurrency in app.py")
        addition["Properties"]["ReservedConcurrentExecutions"] = sum(int(c) for c in concurrency)
    return {
        # Lists are replaced, not merged: this is the role's whole inline policy.
        role: {"Properties": {"Policies": [{"PolicyName": f"{role}Policy", "PolicyDocument": policy}]}},
        function: addition,
        roles.log_group_id(function): roles.log_group(stage, function),
    }


def topic_arn(name: str) -> dict[str, str]:
    """The ARN of our SNS topic `name` in this stack's account and region."""
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:sns:${{AWS::Region}}:${{AWS::AccountId}}:{name}"}


def _deep_update(target: dict[str, Any], addition: dict[str, Any]) -> None:
    for key, value in addition.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = value


# --- checks -------------------------------------------------------------------------------------------


LAMBDA_BYTECODE_TAG = "cpython-311"  # the python3.11 runtime's cache tag


def _compile_bytecode(folder: Path) -> None:
    """Our modules' bytecode, built from exactly the sources copied beside it, for the Lambda's Python.

    Lambda's code directory is read-only, so without it every cold start compiles our few hundred modules
    again (about 130 ms of a first answer, bench/bench_cold_start.py). Unchecked-hash files are used
    whatever times the zip gives the files, and are never stale: they are made here, from these sources,
    and the working tree's own caches are never copied.
    """
    if sys.implementation.cache_tag != LAMBDA_BYTECODE_TAG:
        raise PackagingError(f"bytecode for {LAMBDA_BYTECODE_TAG} needs Python 3.11, not {sys.version.split()[0]}")
    compiled = compileall.compile_dir(
        str(folder), quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH, workers=1
    )
    if not compiled:
        raise PackagingError(f"compiling {folder} failed")


def _stale_bytecode(names: Sequence[str]) -> list[str]:
    """Our packages' cache files that are not the runtime's bytecode of a source in the zip."""
    present = set(names)
    stale = []
    for name in names:
        if "__pycache__" not in name or name.split("/", 1)[0] not in PACKAGES or name.endswith("/"):
            continue
        folder, _, file_name = name.rpartition("/__pycache__/")
        module, _, tag = file_name.removesuffix(".pyc").rpartition(".")
        if not file_name.endswith(".pyc") or tag != LAMBDA_BYTECODE_TAG or f"{folder}/{module}.py" not in present:
            stale.append(name)
    return stale


def add_botocore_data(zip_file: Path) -> None:
    """Add the DynamoDB client's small botocore data folder (shared/storage/botocore_data.py), built from the
    zip's own botocore so its version stamp matches what the Lambda imports; a zip without botocore gets none."""
    from shared.storage.botocore_data import PACKAGED_FOLDER, SERVICE, build_folder

    with zipfile.ZipFile(zip_file) as archive:
        names = archive.namelist()
        if "botocore/__init__.py" not in names:
            return
        found = re.search(r"__version__ = ['\"]([^'\"]+)", archive.read("botocore/__init__.py").decode("utf-8"))
        if found is None:
            raise PackagingError(f"{zip_file}: cannot read botocore's version")
        wanted = [n for n in names if n.startswith(f"botocore/data/{SERVICE}/") or (n.count("/") == 2
                  and n.startswith("botocore/data/") and n.endswith(".json"))]
        with tempfile.TemporaryDirectory() as work:
            archive.extractall(work, members=wanted)
            built = build_folder(Path(work) / PACKAGED_FOLDER.name, Path(work) / "botocore" / "data", found.group(1))
            files = sorted(path for path in built.rglob("*") if path.is_file())
            with zipfile.ZipFile(zip_file, "a", compression=zipfile.ZIP_DEFLATED) as out:
                for path in files:
                    out.write(path, f"{PACKAGED_FOLDER.name}/{path.relative_to(built).as_posix()}")


def add_policy_snapshot(zip_file: Path) -> None:
    """Add the validated policy (shared/snapshot.py) at the zip's root, fingerprinted from the zip's own policy
    file, models and pydantic, so a cold Lambda uses it rather than validating again; a zip without pydantic
    gets none."""
    from pydantic.version import VERSION

    from shared.policy import DEFAULT_POLICY_PATH, SNAPSHOT_NAME, write_policy_snapshot

    with zipfile.ZipFile(zip_file) as archive:
        names = set(archive.namelist())
        if "pydantic/version.py" not in names:
            return
        found = re.search(r"^VERSION = ['\"]([^'\"]+)", archive.read("pydantic/version.py").decode("utf-8"), re.M)
        if found is None or found.group(1) != VERSION:
            raise PackagingError(f"{zip_file}: its pydantic is not the {VERSION} that validates the policy here")
        if archive.read("shared/policy.py") != DEFAULT_POLICY_PATH.with_name("policy.py").read_bytes():
            raise PackagingError(f"{zip_file}: its shared/policy.py is not this project's")
        policy_file = archive.read("shared/policy.toml")
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "policy.toml").write_bytes(policy_file)
        snapshot = write_policy_snapshot(Path(work) / SNAPSHOT_NAME, Path(work) / "policy.toml")
        with zipfile.ZipFile(zip_file, "a", compression=zipfile.ZIP_DEFLATED) as out:
            out.write(snapshot, SNAPSHOT_NAME)


def add_holiday_snapshot(zip_file: Path) -> None:
    """Add the holiday dates of the zip's own policy's calendars (shared/holiday_snapshot.py) at the zip's root,
    computed by this `holidays`, which must be the zip's (its one dist-info folder names the same version), so
    a cold Lambda imports no `holidays` for its first due time; a zip without `holidays` gets none."""
    from shared.holiday_snapshot import (
        SNAPSHOT_NAME,
        SOURCE_FILES,
        library_folder,
        library_version,
        policy_calendars,
        write_holiday_snapshot,
    )
    from shared.policy import load_policy

    folder = library_folder()
    version = None if folder is None else library_version(folder)
    with zipfile.ZipFile(zip_file) as archive:
        names = archive.namelist()
        if "holidays/__init__.py" not in names:
            return
        zipped = {name.split("/", 1)[0] for name in names if re.match(r"holidays-[^/]+\.dist-info/", name)}
        if version is None or zipped != {f"holidays-{version}.dist-info"}:
            raise PackagingError(f"{zip_file}: its holidays ({', '.join(sorted(zipped)) or 'no dist-info'}) is not "
                                 f"the {version} that computes the holiday dates here")
        for source in SOURCE_FILES:
            if source not in names or archive.read(source) != (PROJECT_ROOT / source).read_bytes():
                raise PackagingError(f"{zip_file}: its {source} is not this project's")
        policy_file = archive.read("shared/policy.toml")
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "policy.toml").write_bytes(policy_file)
        calendars = policy_calendars(load_policy(Path(work) / "policy.toml"))
        target = Path(work) / SNAPSHOT_NAME
        _, written = write_holiday_snapshot(target, calendars, version)
        if not written:
            raise PackagingError(f"cannot write the holiday snapshot {target}")
        with zipfile.ZipFile(zip_file, "a", compression=zipfile.ZIP_DEFLATED) as out:
            out.write(target, SNAPSHOT_NAME)


# Imports every module of ours (and so the libraries they use) with the dataclass code recorder on, and writes
# what it compiled: the zip's kept dataclass code (shared/dataclass_code.py), none of it from .local/.
_RECORD_KEPT_CODE = """
import importlib, pkgutil, sys
from pathlib import Path
from shared import dataclass_code, regex_code
dataclass_code.install(files=())
regex_code.install(files=())
import app
for package in ("functions", "shared"):
    for module in pkgutil.walk_packages([package], prefix=package + "."):
        importlib.import_module(module.name)
# Imported on a first request, not with the app: where an address is checked, by the first DynamoDB client, by
# a deployed stage's first read of its secrets, and by the first creating POST (Powertools' idempotency).
import botocore.httpsession, email_validator, urllib3.util.url
import aws_lambda_powertools.utilities.idempotency, aws_lambda_powertools.utilities.parameters
assert dataclass_code.write_kept(Path(sys.argv[1]), dataclass_code.kept_code())
assert regex_code.write_kept(Path(sys.argv[2]), regex_code.kept_here())
"""


def add_kept_code(zip_file: Path) -> None:
    """Add the compiled code of every dataclass our modules and their libraries create, and of the patterns
    that are slow to compile (shared/regex_code.py): a cold start compiles none of it. Made by this Python,
    whose bytecode magic number (and regex engine's) the files carry, as the zip's .pyc do."""
    from shared import dataclass_code, regex_code

    with tempfile.TemporaryDirectory() as work:
        targets = {name: Path(work) / name for name in (dataclass_code.FILE_NAME, regex_code.FILE_NAME)}
        env = {key: value for key, value in _environ().items() if not key.startswith("COCOON_")}
        env[STAGE_VARIABLE] = "prod"
        subprocess.run([sys.executable, "-c", _RECORD_KEPT_CODE, *map(str, targets.values())], cwd=PROJECT_ROOT,
                       env=env, check=True, capture_output=True, timeout=300)
        with zipfile.ZipFile(zip_file, "a", compression=zipfile.ZIP_DEFLATED) as out:
            for name, target in targets.items():
                out.write(target, name)


def verify_zip(zip_file: Path) -> int:
    """Check the zip holds our code and data files (Chalice would silently leave them out); return entries."""
    with zipfile.ZipFile(zip_file) as archive:
        names = archive.namelist()
    present = set(names)
    missing = [name for name in REQUIRED_IN_ZIP if name not in present]
    missing += [f"{prefix}..." for prefix in REQUIRED_PREFIXES_IN_ZIP if not any(n.startswith(prefix) for n in names)]
    if missing:
        raise PackagingError(f"{zip_file} lacks {', '.join(missing)}")
    stale = _stale_bytecode(names)
    if stale:
        raise PackagingError(f"{zip_file} holds bytecode that is not of its own sources, e.g. {stale[0]}")
    sources = [n for n in names if n.endswith(".py") and n.split("/", 1)[0] in PACKAGES]
    uncompiled = [
        n for n in sources
        if f"{n.rpartition('/')[0]}/__pycache__/{n.rpartition('/')[2][:-3]}.{LAMBDA_BYTECODE_TAG}.pyc" not in present
    ]
    if uncompiled:
        raise PackagingError(f"{zip_file} lacks the bytecode of {uncompiled[0]} (a cold start would compile it)")
    return len(names)


def run_cfn_lint(template: Path) -> list[str]:
    """Lint the template; fail on errors, return the warnings (one per line)."""
    command = [str(_venv_bin("cfn-lint")), "--regions", REGION, "--format", "parseable", "--", str(template)]
    process = subprocess.run(command, capture_output=True, text=True, check=False, env=_environ())
    findings = [line for line in process.stdout.splitlines() if line.strip()]
    # cfn-lint's exit code is a bit mask: 1 = it failed, 2 = errors, 4 = warnings, 8 = informational.
    if process.returncode & 0b11:
        details = "\n".join(findings) or process.stderr.strip()
        raise PackagingError(f"cfn-lint rejects {template}:\n{details}")
    return findings


# --- the build ----------------------------------------------------------------------------------------


def build(out: Path, stage: str, build_dir: Path = PROJECT_ROOT / "build") -> PackageResult:
    """Build, check and write `<out>/sam.json` and `<out>/deployment.zip`."""
    seconds: dict[str, float] = {}
    started = time.monotonic()
    check_policy()
    check_route_index()
    config = chalice_config(stage)
    build_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(build_dir / "package.lock"):
        project_dir = build_dir / "chalice"
        prepare_staging(project_dir, stage, config)
        raw_out = build_dir / "chalice-raw"
        run_chalice_package(project_dir, raw_out, stage)
        seconds["staging + chalice package"] = time.monotonic() - started

        merge_file = build_dir / "merge-template.json"
        generated = json.loads((raw_out / "sam.json").read_text(encoding="utf-8"))
        merge = merge_template(generated, config, stage)
        merge_file.write_text(json.dumps(merge, indent=2) + "\n", encoding="utf-8")
        step = time.monotonic()
        merged_out = build_dir / "chalice-out"
        run_chalice_package(project_dir, merged_out, stage, merge_file)
        seconds["chalice package (merge)"] = time.monotonic() - step

        template, zip_file = merged_out / "sam.json", merged_out / "deployment.zip"
        add_botocore_data(zip_file)
        add_policy_snapshot(zip_file)
        add_holiday_snapshot(zip_file)
        add_kept_code(zip_file)
        entries = verify_zip(zip_file)
        step = time.monotonic()
        warnings = run_cfn_lint(template)
        seconds["cfn-lint"] = time.monotonic() - step
        prune_cached_zips(project_dir, zip_file)

        # Only a build that passed every check reaches the output; a failed one stays in build/ to look at.
        out.mkdir(parents=True, exist_ok=True)
        shutil.move(template, out / "sam.json")
        shutil.move(zip_file, out / "deployment.zip")
        shutil.rmtree(raw_out, ignore_errors=True)
        shutil.rmtree(merged_out, ignore_errors=True)
    resources = json.loads((out / "sam.json").read_text(encoding="utf-8"))["Resources"]
    seconds["total"] = time.monotonic() - started
    return PackageResult(
        template=out / "sam.json",
        zip_file=out / "deployment.zip",
        stage=stage,
        zip_bytes=(out / "deployment.zip").stat().st_size,
        zip_entries=entries,
        resources={name: str(resource["Type"]) for name, resource in resources.items()},
        lint_warnings=warnings,
        seconds=seconds,
    )


def summary(result: PackageResult) -> str:
    lines = [
        f"Packaged stage {result.stage!r} for {REGION}:",
        f"  {result.template}",
        f"  {result.zip_file} ({result.zip_bytes / 1_000_000:.1f} MB, {result.zip_entries} files)",
        "  resources: " + ", ".join(f"{name} ({kind})" for name, kind in sorted(result.resources.items())),
        "  cfn-lint: " + (f"{len(result.lint_warnings)} warning(s)" if result.lint_warnings else "clean"),
    ]
    lines += [f"    {warning}" for warning in result.lint_warnings]
    lines.append("  time: " + ", ".join(f"{step} {value:.1f} s" for step, value in result.seconds.items()))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=PROJECT_ROOT / "dist", help="where sam.json and deployment.zip go (dist/)"
    )
    parser.add_argument(
        "--stage", default=os.environ.get(STAGE_VARIABLE), help=f"the chalice.json stage to package (${STAGE_VARIABLE})"
    )
    parser.add_argument(
        "--build-dir", type=Path, default=PROJECT_ROOT / "build", help="staging and cache (default build/)"
    )
    args = parser.parse_args(argv)
    try:
        result = build(args.out, chosen_stage(args.stage), args.build_dir)
    except PackagingError as exc:
        print(f"make package: {exc}", file=sys.stderr)
        return 1
    print(summary(result))
    return 0


def chosen_stage(stage: str | None) -> str:
    """The stage to build, which must be named: a forgotten COCOON_STAGE never builds something."""
    stage = (stage or "").strip()
    if not stage:
        raise PackagingError(f"{STAGE_VARIABLE} is not set: name the stage, e.g. `{STAGE_VARIABLE}=prod make package`")
    if stage in TIME_TRAVEL_STAGES:
        raise PackagingError(f"{STAGE_VARIABLE}={stage} allows time travel and local keys: it is never deployed")
    return stage


def _venv_bin(name: str) -> Path:
    """A tool from the interpreter's own venv, so the build never picks another install from PATH."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise PackagingError(f"{path} is missing: run `make install`")
    return path


def _environ() -> dict[str, str]:
    return dict(os.environ)


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    """One build at a time per build dir: `make package` and the packaging tests share the cache."""
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


if __name__ == "__main__":
    raise SystemExit(main())
