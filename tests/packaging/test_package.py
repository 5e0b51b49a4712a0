"""The deployable artefacts of `make package` (issue item 12, SPEC §10).

One build per session (the same `infra.package.main` that `make package` runs),
then: the template passes cfn-lint and carries the tables, bucket, policy and
gateway response; every handler string names something the packaged app.py
has (Chalice #1566); and the zip, unpacked into a clean virtualenv with nothing
but what Lambda would give it, serves a signup against DynamoDB Local — at the
real moment, since the deployed stage ignores X-Cocoon-Now.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra import inbound_email_topic, mail_events_topic, package, roles
from infra.stage_secrets import SECRET_RESOURCES
from infra.tables import IDEMPOTENCY_TABLE, MAIN_TABLE, TABLE_ENV, ensure_tables, table_properties
from shared.api.errors import NOT_FOUND_CODE, NOT_FOUND_MESSAGE, error_json
from shared.secrets import INBOUND_EMAIL_SECRET, LINK_SECRET, secrets_needed
from tests.functional.helpers import signup_fields
from tests.packaging.build import STAGE, packaged_dist
from tests.packaging.secrets_manager import SecretsManagerStandIn, secrets_manager, stored_secret

pytestmark = pytest.mark.packaging

VENV_BIN = Path(sys.executable).parent
TIME_TRAVEL_TO = "2020-01-01T00:00:00Z"
FAKE_BUCKET = "cocoon-attachments-packaging-test"
FAKE_QUEUE_URL = "https://sqs.eu-central-1.amazonaws.com/123456789012/cocoon-billing"

# Runs inside the clean virtualenv with -I (no PYTHONPATH, no user site, no cwd on sys.path).
# Lambda puts the code (/var/task) first and its runtime with boto3 (/var/runtime) after it.
DRIVER = r"""
import json, re, sys
code_dir, runtime_dir, request_path, result_path = sys.argv[1:5]
sys.path.insert(0, code_dir)
sys.path.append(runtime_dir)
request = json.loads(open(request_path, encoding="utf-8").read())


class LambdaContext:
    function_name = "cocoon-prod-APIHandler"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:cocoon-prod-APIHandler"
    memory_limit_in_mb = 1024
    aws_request_id = "packaging-test-request"
    log_group_name = "/aws/lambda/cocoon-prod-APIHandler"
    log_stream_name = "packaging-test"

    def get_remaining_time_in_millis(self):
        return 60_000


import app as packaged

result = {
    "missing_handlers": [name for name in request["handlers"] if not callable(getattr(packaged, name, None))],
    "origins": {},
    "sys_path": sys.path,
}
for module in ("app", "shared", "functions", "chalice", "pydantic", "pynamodb", "botocore"):
    result["origins"][module] = __import__(module).__file__
if request.get("event") is not None:
    handler = getattr(packaged, request.get("handler") or "app")
    result["response"] = handler(request["event"], LambdaContext())
    result["origins"]["boto3"] = sys.modules["boto3"].__file__ if "boto3" in sys.modules else None
    policy_module = sys.modules.get("shared.policy")
    result["policy_validator_built"] = None if policy_module is None else policy_module.Policy.__pydantic_complete__
    kept_code = sys.modules.get("shared.dataclass_code")
    result["dataclass_methods_compiled"] = None if kept_code is None else kept_code.compiled_here()
    result["compiled_keys"] = [] if kept_code is None else [repr(k[:40]) for k in kept_code._compiled]
    regex_code = sys.modules.get("shared.regex_code")
    checker = sys.modules.get("email_validator.rfc_constants")
    slow = {value.pattern for value in vars(checker).values() if isinstance(value, re.Pattern)} if checker else set()
    result["slow_patterns"] = None if regex_code is None else {
        "compiled": [str(key[1]) for key in regex_code.kept_here() if key[1] in slow],
        "from_zip": len(regex_code._stored), "email_validator": checker is not None}
with open(result_path, "w", encoding="utf-8") as out:
    json.dump(result, out, default=str)
"""


# --- the build ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return packaged_dist(tmp_path_factory)


@pytest.fixture(scope="session")
def stand_in() -> Iterator[SecretsManagerStandIn]:
    """Secrets Manager for the packaged functions, holding the stage's secrets by logical id."""
    with secrets_manager() as service:
        yield service


@pytest.fixture(scope="session")
def stage_secrets(stand_in: SecretsManagerStandIn) -> dict[str, str]:
    """ARN per secret resource of the template, with values shaped as GenerateSecretString makes them."""
    return {
        logical_id: stand_in.create(f"cocoon-prod/{logical_id}", stored_secret())
        for logical_id in SECRET_RESOURCES.values()
    }


@pytest.fixture(scope="session")
def template(dist: Path) -> dict[str, Any]:
    return json.loads((dist / "sam.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def functions(resources: dict[str, Any]) -> dict[str, Any]:
    found = {name: r for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    assert "APIHandler" in found
    return found


@pytest.fixture(scope="session")
def lambda_sandbox(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The zip unpacked like /var/task, a clean venv, and a stand-in for the Lambda runtime's boto3."""
    root = tmp_path_factory.mktemp("lambda")
    code = root / "task"
    with zipfile.ZipFile(dist / "deployment.zip") as archive:
        archive.extractall(code)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The python3.11 runtime ships boto3; the zip brings botocore (PynamoDB needs it) and jmespath.
    runtime = root / "runtime"
    for name in ("boto3", "s3transfer"):
        spec = importlib.util.find_spec(name)
        assert spec is not None, f"{name} is not installed in the project venv"
        assert spec.origin is not None
        shutil.copytree(Path(spec.origin).parent, runtime / name, ignore=shutil.ignore_patterns("__pycache__"))
    driver = root / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    return {
        "root": root,
        "code": code,
        "python": venv / "bin" / "python",
        "runtime": runtime,
        "driver": driver,
    }


def _function_environment(function: dict[str, Any], secret_arns: dict[str, str]) -> dict[str, str]:
    """The deployed function's environment, with CloudFormation references made concrete."""
    env: dict[str, str] = {}
    for name, value in function["Properties"]["Environment"]["Variables"].items():
        if value == {"Ref": package.ATTACHMENTS_BUCKET}:
            value = FAKE_BUCKET
        if value == {"Ref": package.BILLING_QUEUE_ID}:
            value = FAKE_QUEUE_URL
        if isinstance(value, dict) and value.get("Ref") in secret_arns:
            value = secret_arns[value["Ref"]]
        if value == {"Ref": mail_events_topic.CONFIGURATION_SET_ID}:
            value = mail_events_topic.configuration_set_name(STAGE)
        if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):  # the topics' ARNs
            pseudo = {"${AWS::Partition}": "aws", "${AWS::Region}": "eu-central-1", "${AWS::AccountId}": "123456789012"}
            value = value["Fn::Sub"]
            for reference, concrete in pseudo.items():
                value = value.replace(reference, concrete)
        assert isinstance(value, str), f"{name}: unexpected reference {value!r}"
        env[name] = value
    return env


def _run_packaged(
    sandbox: dict[str, Path],
    env: dict[str, str],
    handlers: list[str],
    event: dict[str, Any] | None = None,
    handler: str = "app",
) -> dict[str, Any]:
    request_file = sandbox["root"] / "request.json"
    result_file = sandbox["root"] / "result.json"
    request = {"handlers": handlers, "event": event, "handler": handler}
    request_file.write_text(json.dumps(request), encoding="utf-8")
    result_file.unlink(missing_ok=True)
    command = [
        str(sandbox["python"]),
        "-I",
        str(sandbox["driver"]),
        str(sandbox["code"]),
        str(sandbox["runtime"]),
        str(request_file),
        str(result_file),
    ]
    process = subprocess.run(command, env=env, cwd=sandbox["root"], capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, f"packaged app failed:\n{process.stdout[-4000:]}\n{process.stderr[-4000:]}"
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    result["log"] = process.stdout + process.stderr  # the function's logs, for failure messages
    return result


def _lambda_env(
    function: dict[str, Any],
    sandbox: dict[str, Path],
    stand_in: SecretsManagerStandIn,
    secret_arns: dict[str, str],
    **overrides: str,
) -> dict[str, str]:
    """A fresh environment as Lambda builds it: the template's variables, not this test process's."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(sandbox["root"]),
        "AWS_REGION": package.REGION,
        "AWS_DEFAULT_REGION": package.REGION,
        "AWS_ACCESS_KEY_ID": "local",  # DynamoDB Local accepts letters and digits only
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": function["Properties"]["FunctionName"],
        "_HANDLER": function["Properties"]["Handler"],  # Lambda sets it; it says which secrets the function holds
        "COCOON_LOCAL_DIR": str(sandbox["root"] / "local"),
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": stand_in.endpoint,  # the only AWS service stood in for here
    }
    env.update(_function_environment(function, secret_arns))
    env.update(overrides)
    return {name: value for name, value in env.items() if value != ""}  # an override of "" unsets


def _against_local_prod_tables(
    function: dict[str, Any],
    sandbox: dict[str, Path],
    db: str,
    tmp_path: Path,
    stand_in: SecretsManagerStandIn,
    secret_arns: dict[str, str],
) -> tuple[dict[str, str], Any]:
    """The function's Lambda environment pointed at DynamoDB Local, and a client on its prod-named tables."""
    import boto3

    env = _lambda_env(
        function,
        sandbox,
        stand_in,
        secret_arns,
        COCOON_DYNAMODB_ENDPOINT=db,
        COCOON_OUTBOX_DIR=str(tmp_path / "outbox"),
        COCOON_MAIL_TRANSPORT="eml",
    )
    # DynamoDB Local keeps one database per access key and region: use the packaged function's.
    client = boto3.client(
        "dynamodb",
        endpoint_url=db,
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    # The db fixture made fresh tables under the test stage's names; the prod names must exist too.
    ensure_tables(client, {MAIN_TABLE: env["COCOON_TABLE"], IDEMPOTENCY_TABLE: env["COCOON_IDEMPOTENCY_TABLE"]})
    return env, client


# --- (a) cfn-lint ---------------------------------------------------------------------------------------


def test_template_passes_cfn_lint(dist: Path) -> None:
    process = subprocess.run(
        [str(VENV_BIN / "cfn-lint"), "--regions", package.REGION, "--", str(dist / "sam.json")],
        capture_output=True,
        text=True,
    )
    assert process.returncode == 0, process.stdout + process.stderr


# --- (b) what the template holds ------------------------------------------------------------------------


def test_template_has_the_tables_of_infra_tables(resources: dict[str, Any]) -> None:
    config = json.loads((package.PROJECT_ROOT / "chalice.json").read_text(encoding="utf-8"))
    stage_env = package.stage_environment(config, STAGE)
    for logical_id, expected in table_properties().items():
        table = resources[logical_id]
        assert table["Type"] == "AWS::DynamoDB::Table"
        properties = dict(table["Properties"])
        assert properties.pop("TableName") == stage_env[TABLE_ENV[logical_id]]
        assert properties == expected, f"{logical_id} differs from infra/tables.py"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["SSESpecification"] == {"SSEEnabled": True}
        assert properties["TimeToLiveSpecification"]["Enabled"] is True
    assert resources[MAIN_TABLE]["DeletionPolicy"] == "Retain"


def _statements(resources: dict[str, Any], function: dict[str, Any]) -> list[dict[str, Any]]:
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = resources[role_id]["Properties"]["Policies"]
    return [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]


def _granted(statements: list[dict[str, Any]], action: str) -> list[Any]:
    return [r for s in statements if s["Effect"] == "Allow" and action in s["Action"] for r in s["Resource"]]


def _by_handler(functions: dict[str, Any], handler: str) -> dict[str, Any]:
    (found,) = [f for f in functions.values() if f["Properties"]["Handler"] == handler]
    return found  # type: ignore[no-any-return]


def test_each_function_has_its_own_role(resources: dict[str, Any], functions: dict[str, Any]) -> None:
    role_ids = [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()]
    assert len(set(role_ids)) == len(functions) == len(roles.FUNCTION_NEEDS)
    for role_id in role_ids:
        assert resources[role_id]["Type"] == "AWS::IAM::Role"
        assert len(resources[role_id]["Properties"]["Policies"]) == 1  # ours, replacing Chalice's placeholder


def test_every_role_uses_the_main_table_and_only_the_api_the_idempotency_table(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    for name, function in functions.items():
        statements = _statements(resources, function)
        tables = _granted(statements, "dynamodb:TransactWriteItems")
        assert {"Fn::GetAtt": [MAIN_TABLE, "Arn"]} in tables, name
        assert {"Fn::Sub": f"${{{MAIN_TABLE}.Arn}}/index/*"} in tables, name
        for action in roles.DYNAMODB_ACTIONS:
            assert _granted(statements, action) == tables, (name, action)
        has_idempotency = {"Fn::GetAtt": [IDEMPOTENCY_TABLE, "Arn"]} in tables
        assert has_idempotency == (function["Properties"]["Handler"] == "app.app"), name
        # Nothing is granted on everything.
        assert all(s["Resource"] != "*" and "*" not in s["Resource"] for s in statements), name


def test_only_the_mail_job_sends_mail(resources: dict[str, Any], functions: dict[str, Any]) -> None:
    for name, function in functions.items():
        sends = bool(_granted(_statements(resources, function), "ses:SendRawEmail"))
        assert sends == (function["Properties"]["Handler"] == "app.job_mail"), name


def test_blobs_are_written_by_intake_and_listed_and_deleted_by_the_deletion_job_only(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    from shared.storage.blobs import account_prefix

    assert account_prefix("A1").startswith(roles.BLOB_PREFIX)
    objects = {"Fn::Sub": f"${{{package.ATTACHMENTS_BUCKET}.Arn}}/{roles.BLOB_PREFIX}*"}
    writers = {"app.app", "app.inbound_email_from_ses"}
    for name, function in functions.items():
        handler = function["Properties"]["Handler"]
        statements = _statements(resources, function)
        assert (objects in _granted(statements, "s3:PutObject")) == (handler in writers), name
        assert (objects in _granted(statements, "s3:DeleteObject")) == (handler in writers | {"app.job_lifecycle"}), (
            name
        )
        listing = [s for s in statements if "s3:ListBucket" in s["Action"]]
        if handler != "app.job_lifecycle":
            assert listing == [], name
            continue
        # The 180-day deletion lists an account's blobs before it deletes them: without this it fails in AWS.
        (statement,) = listing
        assert statement["Resource"] == [{"Fn::GetAtt": [package.ATTACHMENTS_BUCKET, "Arn"]}]
        assert statement["Condition"] == {"StringLike": {"s3:prefix": [f"{roles.BLOB_PREFIX}*"]}}


def test_each_function_logs_only_to_its_own_log_group(resources: dict[str, Any], functions: dict[str, Any]) -> None:
    for name, function in functions.items():
        statements = _statements(resources, function)
        log_group_id = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        group = resources[log_group_id]
        assert group["Type"] == "AWS::Logs::LogGroup"
        assert group["Properties"]["LogGroupName"] == f"/aws/lambda/{function['Properties']['FunctionName']}"
        assert group["Properties"]["RetentionInDays"] == roles.LOG_RETENTION_DAYS
        logs = [s for s in statements if any(a.startswith("logs:") for a in s["Action"])]
        assert logs == [
            {
                "Sid": "OwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [{"Fn::GetAtt": [log_group_id, "Arn"]}],
            }
        ], name


def test_secrets_are_generated_in_the_stack_and_readable_only_by_the_functions_that_need_them(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    for logical_id in SECRET_RESOURCES.values():
        properties = resources[logical_id]["Properties"]
        assert resources[logical_id]["Type"] == "AWS::SecretsManager::Secret"
        assert "SecretString" not in properties
        assert properties["GenerateSecretString"] == {
            "SecretStringTemplate": '{"kid":"k1"}',
            "GenerateStringKey": "secret",
            "PasswordLength": 64,
            "ExcludePunctuation": True,
        }
    for name, function in functions.items():
        handler = function["Properties"]["Handler"]
        needed = secrets_needed(handler)
        variables = function["Properties"]["Environment"]["Variables"]
        readable = _granted(_statements(resources, function), "secretsmanager:GetSecretValue")
        assert readable == [{"Ref": SECRET_RESOURCES[secret]} for secret in needed], name
        for secret in (LINK_SECRET, INBOUND_EMAIL_SECRET):
            expected = {"Ref": SECRET_RESOURCES[secret]} if secret in needed else None
            assert variables.get(secret.arn_variable) == expected, (name, secret.arn_variable)
    assert secrets_needed("app.app") == (LINK_SECRET, INBOUND_EMAIL_SECRET)  # the API verifies the webhook
    assert secrets_needed("app.job_mail") == (LINK_SECRET,)


def test_api_stage_throttles_every_method(resources: dict[str, Any]) -> None:
    (setting,) = resources[package.REST_API]["Properties"]["MethodSettings"]
    assert setting == {
        "ResourcePath": "/*",
        "HttpMethod": "*",
        "ThrottlingRateLimit": package.API_THROTTLE_RATE_PER_SECOND,
        "ThrottlingBurstLimit": package.API_THROTTLE_BURST,
    }
    assert 0 < package.API_THROTTLE_RATE_PER_SECOND <= package.API_THROTTLE_BURST


def test_ses_receipt_topic_accepts_only_ses_of_this_account_and_feeds_the_consumer(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    consumer_id, consumer = next(
        (n, f) for n, f in functions.items() if f["Properties"]["Handler"] == "app.inbound_email_from_ses"
    )
    topic = resources[inbound_email_topic.TOPIC_ID]
    assert topic["Type"] == "AWS::SNS::Topic"
    assert topic["Properties"]["TopicName"] == "cocoon-inbound-email"  # app.py subscribes by this name
    (event,) = consumer["Properties"]["Events"].values()
    assert event["Type"] == "SNS"  # SAM makes the subscription and the invoke permission from it
    assert event["Properties"]["Topic"]["Fn::Sub"].endswith(":cocoon-inbound-email")
    assert inbound_email_topic.TOPIC_ID in consumer["DependsOn"]

    policy = resources[inbound_email_topic.TOPIC_POLICY_ID]["Properties"]
    assert policy["Topics"] == [{"Ref": inbound_email_topic.TOPIC_ID}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Action"] == "SNS:Publish"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}

    dead_letters = {"Fn::GetAtt": [inbound_email_topic.DEAD_LETTERS_ID, "Arn"]}
    invoke = resources[inbound_email_topic.INVOKE_CONFIG_ID]
    assert invoke["Type"] == "AWS::Lambda::EventInvokeConfig"
    assert invoke["Properties"]["FunctionName"] == {"Ref": consumer_id}
    assert invoke["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == dead_letters
    assert event["Properties"]["RedrivePolicy"] == {"deadLetterTargetArn": dead_letters}
    assert dead_letters["Fn::GetAtt"][0] in json.dumps(_granted(_statements(resources, consumer), "sqs:SendMessage"))
    queue_policy = resources[inbound_email_topic.DEAD_LETTERS_POLICY_ID]["Properties"]["PolicyDocument"]
    assert queue_policy["Statement"][0]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Ref": inbound_email_topic.TOPIC_ID}}
    }


def test_ses_events_of_our_mail_come_back_through_a_configuration_set_and_a_topic_only_it_publishes_to(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    ids = mail_events_topic.MAIL_EVENTS
    configuration_set = resources[mail_events_topic.CONFIGURATION_SET_ID]
    assert configuration_set["Type"] == "AWS::SES::ConfigurationSet"
    name = configuration_set["Properties"]["Name"]
    destination = resources[mail_events_topic.EVENT_DESTINATION_ID]
    assert destination["Type"] == "AWS::SES::ConfigurationSetEventDestination"
    assert destination["Properties"]["ConfigurationSetName"] == {"Ref": mail_events_topic.CONFIGURATION_SET_ID}
    events = destination["Properties"]["EventDestination"]
    assert events["Enabled"] is True and events["SnsDestination"] == {"TopicARN": {"Ref": ids.topic}}
    assert sorted(events["MatchingEventTypes"]) == sorted(
        ["send", "delivery", "bounce", "complaint", "reject", "deliveryDelay", "renderingFailure"]
    )
    assert resources[ids.topic]["Properties"]["TopicName"] == "cocoon-mail-events"  # app.py subscribes by name

    (statement,) = resources[ids.topic_policy]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"} and statement["Action"] == "SNS:Publish"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"].endswith(f":configuration-set/{name}")

    consumer_id, consumer = next(
        (n, f) for n, f in functions.items() if f["Properties"]["Handler"] == "app.mail_events_from_ses"
    )
    (event,) = consumer["Properties"]["Events"].values()
    assert event["Type"] == "SNS" and event["Properties"]["Topic"]["Fn::Sub"].endswith(":cocoon-mail-events")
    dead_letters = {"Fn::GetAtt": [ids.dead_letters, "Arn"]}
    assert event["Properties"]["RedrivePolicy"] == {"deadLetterTargetArn": dead_letters}
    invoke = resources[ids.invoke_config]["Properties"]
    assert invoke["FunctionName"] == {"Ref": consumer_id}
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == dead_letters
    assert ids.dead_letters in json.dumps(_granted(_statements(resources, consumer), "sqs:SendMessage"))
    assert not _granted(_statements(resources, consumer), "ses:SendRawEmail")
    for function in functions.values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables[mail_events_topic.CONFIGURATION_SET_ENV] == {"Ref": mail_events_topic.CONFIGURATION_SET_ID}
        assert variables[package.MAIL_EVENTS_TOPIC_ENV]["Fn::Sub"].endswith(":sns:${AWS::Region}:${AWS::AccountId}:cocoon-mail-events")
        assert variables[package.INBOUND_EMAIL_TOPIC_ENV] == package.topic_arn("cocoon-inbound-email")


def test_every_dead_letter_queue_has_an_alarm(resources: dict[str, Any]) -> None:
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    watched = {d["Value"]["Fn::GetAtt"][0] for a in alarms for d in a["Dimensions"] if d["Name"] == "QueueName"}
    dead_letter_queues = {n for n, r in resources.items() if r["Type"] == "AWS::SQS::Queue" and "DeadLetter" in n}
    assert dead_letter_queues == {
        package.BILLING_DEAD_LETTERS_ID, inbound_email_topic.DEAD_LETTERS_ID, mail_events_topic.MAIL_EVENTS.dead_letters
    }
    assert dead_letter_queues <= watched


def test_billing_consumer_has_reserved_concurrency_for_its_event_source(functions: dict[str, Any]) -> None:
    _, consumer = _consumer(functions)
    (event,) = consumer["Properties"]["Events"].values()
    maximum = event["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    assert consumer["Properties"]["ReservedConcurrentExecutions"] == maximum
    others = [f for f in functions.values() if f is not consumer]
    assert all("ReservedConcurrentExecutions" not in f["Properties"] for f in others)


def test_attachments_bucket_is_private_encrypted_and_known_to_every_function(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    bucket = resources[package.ATTACHMENTS_BUCKET]["Properties"]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    for name, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables[package.ATTACHMENTS_ENV] == {"Ref": package.ATTACHMENTS_BUCKET}, name


def _consumer(functions: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    found = [(n, f) for n, f in functions.items() if f["Properties"]["Handler"] == "app.bill_accounts_from_queue"]
    assert len(found) == 1, sorted(functions)
    return found[0]


def test_billing_fans_out_through_a_queue_with_dead_letters_and_partial_batch_responses(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    from shared.services.billing.sizes import BATCH_SIZE as QUEUE_BATCH_SIZE
    from shared.services.billing.sizes import BILLING_QUEUE

    name, consumer = _consumer(functions)
    queue = resources[package.BILLING_QUEUE_ID]["Properties"]
    assert queue["QueueName"] == BILLING_QUEUE
    assert queue["VisibilityTimeout"] >= 6 * consumer["Properties"]["Timeout"]  # AWS's advice for consumers
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [package.BILLING_DEAD_LETTERS_ID, "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] == package.BILLING_MAX_RECEIVES
    assert resources[package.BILLING_DEAD_LETTERS_ALARM_ID]["Type"] == "AWS::CloudWatch::Alarm"

    (event,) = consumer["Properties"]["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["Properties"]["BatchSize"] == QUEUE_BATCH_SIZE
    assert event["Properties"]["Queue"]["Fn::Sub"].endswith(f":{BILLING_QUEUE}")
    # Created after the queue: its environment refers to it (Chalice's ARN string alone would not order them).
    assert consumer["Properties"]["Environment"]["Variables"][package.BILLING_QUEUE_ENV] == {
        "Ref": package.BILLING_QUEUE_ID
    }, name

    # The nightly dispatcher has the time to queue a million accounts; only it sends, only the consumer receives.
    (dispatcher,) = [f for f in functions.values() if f["Properties"]["Handler"] == "app.job_billing"]
    assert dispatcher["Properties"]["Timeout"] == 900
    for function_name, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables[package.BILLING_QUEUE_ENV] == {"Ref": package.BILLING_QUEUE_ID}, function_name
        on_queue = {
            action
            for statement in _statements(resources, function)
            if {"Fn::GetAtt": [package.BILLING_QUEUE_ID, "Arn"]} in statement["Resource"]
            for action in statement["Action"]
        }
        expected = {
            "app.job_billing": set(roles.QUEUE_SEND),
            "app.bill_accounts_from_queue": set(roles.QUEUE_CONSUME),
        }.get(function["Properties"]["Handler"], set())
        assert on_queue == expected, function_name
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= set(roles.QUEUE_CONSUME)


def test_unknown_routes_answer_404_in_our_error_shape(resources: dict[str, Any]) -> None:
    body = resources[package.REST_API]["Properties"]["DefinitionBody"]
    response = body["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["statusCode"] == "404"
    assert response["responseTemplates"]["application/json"] == error_json(NOT_FOUND_CODE, NOT_FOUND_MESSAGE)


def test_template_pins_the_region(template: dict[str, Any], functions: dict[str, Any]) -> None:
    assertions = [a["Assert"] for rule in template["Rules"].values() for a in rule["Assertions"]]
    assert {"Fn::Equals": [{"Ref": "AWS::Region"}, "eu-central-1"]} in assertions
    for function in functions.values():
        assert function["Properties"]["Runtime"] == "python3.11"
        assert function["Properties"]["Environment"]["Variables"]["COCOON_STAGE"] == STAGE


def test_zip_holds_our_code_and_data_but_not_dev_tools(dist: Path) -> None:
    with zipfile.ZipFile(dist / "deployment.zip") as archive:
        names = set(archive.namelist())
        packaged_app = archive.read("app.py")
    for required in ("app.py", "functions/__init__.py", "shared/__init__.py", "shared/policy.toml"):
        assert required in names
    assert any(name.startswith("shared/templates/") for name in names)
    assert packaged_app == (package.PROJECT_ROOT / "app.py").read_bytes()
    top_level = {name.split("/", 1)[0] for name in names}
    for dev_only in ("pytest", "hypothesis", "cfnlint", "mypy", "ruff", "click", "boto3", "infra", "tests"):
        assert dev_only not in top_level, f"{dev_only} should not be deployed"


def test_zip_carries_the_dynamodb_clients_botocore_data_made_from_its_own_botocore(dist: Path) -> None:
    # shared/storage/botocore_data.py uses the folder only when its stamp is the botocore the Lambda imports.
    import re

    with zipfile.ZipFile(dist / "deployment.zip") as archive:
        version = re.search(r"__version__ = ['\"]([^'\"]+)", archive.read("botocore/__init__.py").decode())
        stamp = archive.read("botocore_dynamodb/BOTOCORE_VERSION").decode()
        endpoints = json.loads(archive.read("botocore_dynamodb/endpoints.json"))
        names = archive.namelist()
    assert version is not None and stamp == version.group(1)
    assert {name for partition in endpoints["partitions"] for name in partition["services"]} <= {
        "dynamodb", "streams.dynamodb"}
    assert any(name.startswith("botocore_dynamodb/dynamodb/") and name.endswith("service-2.json.gz") for name in names)


def test_zip_carries_the_validated_policy_made_from_its_own_policy_file(dist: Path, tmp_path: Path) -> None:
    # shared/snapshot.py: the Lambda uses it only when its fingerprint is of the zip's own policy and models.
    from shared.policy import SNAPSHOT_NAME, load_policy, policy_fingerprint
    from shared.snapshot import read_snapshot

    with zipfile.ZipFile(dist / "deployment.zip") as archive:
        (tmp_path / "policy.toml").write_bytes(archive.read("shared/policy.toml"))
        (tmp_path / SNAPSHOT_NAME).write_bytes(archive.read(SNAPSHOT_NAME))
    stored = read_snapshot(tmp_path / SNAPSHOT_NAME, policy_fingerprint(tmp_path / "policy.toml"))
    assert stored is not None and stored == load_policy(tmp_path / "policy.toml")


def test_zip_carries_the_holiday_dates_of_its_own_policy_made_by_its_own_holidays(dist: Path, tmp_path: Path) -> None:
    # shared/holiday_snapshot.py: the Lambda uses it only when the zip's holidays dist-info names its version.
    from shared.holiday_snapshot import SNAPSHOT_NAME, policy_calendars, read_holiday_table
    from shared.policy import load_policy
    from shared.rules.holiday_library import holiday_table

    with zipfile.ZipFile(dist / "deployment.zip") as archive:
        (tmp_path / "policy.toml").write_bytes(archive.read("shared/policy.toml"))
        (tmp_path / SNAPSHOT_NAME).write_bytes(archive.read(SNAPSHOT_NAME))
        dist_infos = {name.split("/", 1)[0] for name in archive.namelist() if name.startswith("holidays-")}
    assert len(dist_infos) == 1
    (tmp_path / dist_infos.pop()).mkdir()  # the zip's own holidays, as the Lambda's code folder holds it
    calendars = policy_calendars(load_policy(tmp_path / "policy.toml"))
    assert read_holiday_table(tmp_path / SNAPSHOT_NAME, calendars, tmp_path) == holiday_table(calendars)


def test_time_travel_stages_cannot_be_packaged() -> None:
    for stage in ("local", "test"):
        with pytest.raises(package.PackagingError, match="time travel"):
            package.chalice_config(stage)
        with pytest.raises(package.PackagingError, match="time travel"):
            package.chosen_stage(stage)


def test_make_package_refuses_an_unnamed_stage(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make package` without COCOON_STAGE builds nothing (it used to build prod by default)."""
    monkeypatch.delenv("COCOON_STAGE", raising=False)
    assert package.main(["--out", "/nonexistent/never-written"]) == 1
    assert "COCOON_STAGE is not set" in capsys.readouterr().err
    monkeypatch.setenv("COCOON_STAGE", "test")
    assert package.main(["--out", "/nonexistent/never-written"]) == 1
    assert "time travel" in capsys.readouterr().err
    assert package.chosen_stage(" prod ") == "prod"


def test_a_stage_that_would_run_as_local_cannot_be_packaged(tmp_path: Path) -> None:
    config = json.loads((package.PROJECT_ROOT / "chalice.json").read_text(encoding="utf-8"))
    del config["stages"]["prod"]["environment_variables"]["COCOON_STAGE"]
    config_file = tmp_path / "chalice.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(package.PackagingError, match="sets no COCOON_STAGE"):
        package.chalice_config("prod", config_file)


def test_every_function_runs_as_the_stage(functions: dict[str, Any]) -> None:
    for name, function in functions.items():
        assert function["Properties"]["Environment"]["Variables"]["COCOON_STAGE"] == STAGE, name
        # Cocoon uses no pydantic plugin: a cold start need not search every installed package for one.
        assert function["Properties"]["Environment"]["Variables"]["PYDANTIC_DISABLE_PLUGINS"] == "__all__", name


# --- (c) handler strings ----------------------------------------------------------------------------------


def test_every_handler_string_names_an_attribute_of_app_py(
    functions: dict[str, Any],
    lambda_sandbox: dict[str, Path],
    stand_in: SecretsManagerStandIn,
    stage_secrets: dict[str, str],
) -> None:
    """Chalice #1566: a handler string that app.py lacks deploys fine and fails on every invocation."""
    import app as project_app

    handlers: list[str] = []
    for name, function in functions.items():
        module, _, attribute = function["Properties"]["Handler"].partition(".")
        assert module == "app", f"{name}: handler {function['Properties']['Handler']!r} is not in app.py"
        assert callable(getattr(project_app, attribute, None)), f"{name}: app.py has no {attribute}"
        handlers.append(attribute)
    # And the app.py that Lambda imports, from the zip, in a clean interpreter.
    env = _lambda_env(functions["APIHandler"], lambda_sandbox, stand_in, stage_secrets)
    result = _run_packaged(lambda_sandbox, env, handlers)
    assert result["missing_handlers"] == []


SCHEDULED_EVENT = {
    "version": "0",
    "id": "packaging-test",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-23T10:00:00Z",
    "region": "eu-central-1",
    "resources": [],
    "detail": {},
}


def _first_event(testdata_dir: Path, handler: str) -> dict[str, Any]:
    """A harmless first event for the handler: GET /openapi.json, a schedule tick, an empty batch."""
    if handler == "app.app":
        event = json.loads((testdata_dir / "aws_events" / "powertools" / "apiGatewayProxyEvent.json").read_text())
        event.update(httpMethod="GET", resource="/openapi.json", path="/openapi.json", pathParameters=None, body=None)
        event["requestContext"].update(httpMethod="GET", resourcePath="/openapi.json")
        return event  # type: ignore[no-any-return]
    if handler == "app.bill_accounts_from_queue":
        return {"Records": []}
    return SCHEDULED_EVENT


def _served_first_event(
    sandbox: dict[str, Path], env: dict[str, str], testdata_dir: Path, handler: str
) -> tuple[bool, str]:
    """Whether the packaged function handled its first event, and everything it printed."""
    request_file = sandbox["root"] / "request.json"
    result_file = sandbox["root"] / "first-event.json"
    request = {"handlers": [], "event": _first_event(testdata_dir, handler), "handler": handler.split(".", 1)[1]}
    request_file.write_text(json.dumps(request), encoding="utf-8")
    result_file.unlink(missing_ok=True)
    command = [str(sandbox["python"]), "-I", str(sandbox["driver"]), str(sandbox["code"]), str(sandbox["runtime"])]
    command += [str(request_file), str(result_file)]
    process = subprocess.run(command, env=env, cwd=sandbox["root"], capture_output=True, text=True, timeout=120)
    output = process.stdout + process.stderr
    if process.returncode != 0:
        return False, output
    response = json.loads(result_file.read_text(encoding="utf-8"))["response"]
    served = not (isinstance(response, dict) and int(response.get("statusCode", 200)) >= 500)
    return served, output


@pytest.mark.parametrize("handler", ["app.app", "app.job_trial_expiry", "app.bill_accounts_from_queue"])
def test_packaged_functions_refuse_to_work_without_their_secrets(
    db: str,
    testdata_dir: Path,
    functions: dict[str, Any],
    lambda_sandbox: dict[str, Path],
    tmp_path: Path,
    stand_in: SecretsManagerStandIn,
    stage_secrets: dict[str, str],
    handler: str,
) -> None:
    function = _by_handler(functions, handler)
    env, _ = _against_local_prod_tables(function, lambda_sandbox, db, tmp_path, stand_in, stage_secrets)
    for variable in [s.arn_variable for s in secrets_needed(handler)]:
        env_without = {k: v for k, v in env.items() if k != variable}
        served, output = _served_first_event(lambda_sandbox, env_without, testdata_dir, handler)
        assert not served, (handler, variable)
        assert "MissingSecret" in output and variable in output, output[-3000:]
    # With the secrets the same function works: the refusal above is about them alone.
    served, output = _served_first_event(lambda_sandbox, env, testdata_dir, handler)
    assert served, output[-3000:]


def test_packaged_api_refuses_to_work_with_a_local_default_secret(
    testdata_dir: Path,
    functions: dict[str, Any],
    lambda_sandbox: dict[str, Path],
    stand_in: SecretsManagerStandIn,
    stage_secrets: dict[str, str],
) -> None:
    known = stand_in.create("cocoon-prod/known-link", stored_secret(secret="local-link-secret"))
    env = _lambda_env(functions["APIHandler"], lambda_sandbox, stand_in, stage_secrets, COCOON_LINK_SECRET_ARN=known)
    served, output = _served_first_event(lambda_sandbox, env, testdata_dir, "app.app")
    assert not served
    assert "COCOON_LINK_SECRET_ARN" in output and "local default" in output, output[-3000:]


def test_packaged_function_without_a_stage_refuses_to_start(
    testdata_dir: Path,
    functions: dict[str, Any],
    lambda_sandbox: dict[str, Path],
    stand_in: SecretsManagerStandIn,
    stage_secrets: dict[str, str],
) -> None:
    env = _lambda_env(functions["APIHandler"], lambda_sandbox, stand_in, stage_secrets, COCOON_STAGE="")
    served, output = _served_first_event(lambda_sandbox, env, testdata_dir, "app.app")
    assert not served and "StageNotSet" in output, output[-3000:]


# --- (d) the packaged handler serves a signup ---------------------------------------------------------


def test_packaged_handler_serves_a_signup_at_the_real_moment(
    db: str,
    testdata_dir: Path,
    functions: dict[str, Any],
    lambda_sandbox: dict[str, Path],
    tmp_path: Path,
    stand_in: SecretsManagerStandIn,
    stage_secrets: dict[str, str],
) -> None:
    api_handler = functions["APIHandler"]
    assert api_handler["Properties"]["Handler"] == "app.app"
    env, client = _against_local_prod_tables(api_handler, lambda_sandbox, db, tmp_path, stand_in, stage_secrets)

    sample = json.loads((testdata_dir / "aws_events" / "powertools" / "apiGatewayProxyEvent.json").read_text())
    event = copy.deepcopy(sample)
    headers = {
        "Content-Type": "application/json",
        "X-Cocoon-Now": TIME_TRAVEL_TO,
        "Idempotency-Key": "packaging-test-signup",
    }
    event.update(
        httpMethod="POST",
        resource="/signup",
        path="/signup",
        headers=headers,
        multiValueHeaders={name: [value] for name, value in headers.items()},
        queryStringParameters=None,
        multiValueQueryStringParameters=None,
        pathParameters=None,
        body=json.dumps(signup_fields(admin_email="packaged@beispiel.example")),
        isBase64Encoded=False,
    )
    event["requestContext"].update(httpMethod="POST", resourcePath="/signup", path="/api/signup", stage="api")

    before = datetime.now(UTC)
    result = _run_packaged(lambda_sandbox, env, [], event)
    after = datetime.now(UTC)

    response = result["response"]
    assert response["statusCode"] == 202, f"{response}\n{result['log'][-6000:]}"
    assert json.loads(response["body"])["status"] == "verification_sent"
    # Everything came from the zip (the clean venv has nothing), boto3 from the stand-in runtime.
    code_dir = str(lambda_sandbox["code"])
    for module in ("app", "shared", "functions", "chalice", "pydantic", "pynamodb", "botocore"):
        assert result["origins"][module].startswith(code_dir), (module, result["origins"][module])
    assert not any(str(package.PROJECT_ROOT / ".venv") in entry for entry in result["sys_path"])
    # The zip's validated policy snapshot was used: the cold start built no validator of the policy.
    assert result["policy_validator_built"] is False
    # ...and compiled no dataclass method: the zip's kept code (shared/dataclass_code.py) held every one.
    assert result["dataclass_methods_compiled"] == 0, result["compiled_keys"]
    # ...nor any slow pattern: the signup checked its address with email-validator's patterns from the zip.
    assert result["slow_patterns"]["email_validator"] is True
    assert result["slow_patterns"]["compiled"] == [] and result["slow_patterns"]["from_zip"] >= 4

    items = client.scan(
        TableName=env["COCOON_TABLE"],
        FilterExpression="sk = :sk",
        ExpressionAttributeValues={":sk": {"S": "ACCOUNT"}},
    )["Items"]
    assert len(items) == 1, items
    for attribute in ("created_at", "dpa_accepted_at"):
        stamped = datetime.strptime(items[0][attribute]["S"], "%Y-%m-%dT%H:%M:%S.%f%z")
        # The prod stage ignored X-Cocoon-Now: the signup happened now, not in 2020.
        assert before - timedelta(seconds=5) <= stamped <= after + timedelta(seconds=5), (attribute, stamped)
    # The Idempotency-Key went through Powertools (and the runtime's boto3) to the prod-named table.
    assert client.scan(TableName=env["COCOON_IDEMPOTENCY_TABLE"])["Count"] == 1


def test_packaged_queue_consumer_bills_an_account_and_reports_a_bad_message(
    db: str,
    testdata_dir: Path,
    functions: dict[str, Any],
    lambda_sandbox: dict[str, Path],
    tmp_path: Path,
    stand_in: SecretsManagerStandIn,
    stage_secrets: dict[str, str],
) -> None:
    from shared.contracts import BillingWorkItem
    from tests.functional.helpers import BILLING_NOW as NOW
    from tests.functional.helpers import account_items

    _, consumer = _consumer(functions)
    env, client = _against_local_prod_tables(consumer, lambda_sandbox, db, tmp_path, stand_in, stage_secrets)
    partition = account_items(0, "2026-04-01", None, random.Random(1))  # April and May are due
    for item in partition:
        client.put_item(TableName=env["COCOON_TABLE"], Item=item.serialize())
    account_id = partition[0].account_id

    event = json.loads((testdata_dir / "aws_events" / "powertools" / "sqsEvent.json").read_text())
    good, bad = event["Records"]  # AWS's sample: the second message becomes a work item, the first stays junk
    bad["body"] = "Test message."
    good["body"] = BillingWorkItem(account_id=account_id, now=NOW).model_dump_json()
    result = _run_packaged(lambda_sandbox, env, [], event, handler="bill_accounts_from_queue")
    assert result["response"] == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}, result["log"][-6000:]

    invoices = client.query(
        TableName=env["COCOON_TABLE"],
        KeyConditionExpression="pk = :pk AND begins_with(sk, :invoice)",
        ExpressionAttributeValues={":pk": {"S": f"ACCOUNT#{account_id}"}, ":invoice": {"S": "INVOICE#"}},
    )["Items"]
    assert sorted((i["month"]["S"], i["number"]["S"]) for i in invoices) == [
        ("2026-04", "2026-000001"),
        ("2026-05", "2026-000002"),
    ]


def test_a_dependency_without_a_lambda_wheel_is_reported_by_name() -> None:
    """Chalice only prints a warning and zips without it; the build must fail, naming the package."""
    from chalice.constants import MISSING_DEPENDENCIES_TEMPLATE

    output = "Creating deployment package.\n" + MISSING_DEPENDENCIES_TEMPLATE % "lxml==6.1.3\npsycopg2==2.9"
    match = package._MISSING_DEPENDENCIES.search(output)
    assert match is not None
    assert match.group(1).split() == ["lxml==6.1.3", "psycopg2==2.9"]
