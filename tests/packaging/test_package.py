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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra import package
from infra.tables import IDEMPOTENCY_TABLE, MAIN_TABLE, TABLE_ENV, ensure_tables, table_properties
from shared.api.errors import NOT_FOUND_CODE, NOT_FOUND_MESSAGE, error_json
from tests.functional.helpers import signup_fields

pytestmark = pytest.mark.packaging

VENV_BIN = Path(sys.executable).parent
STAGE = "prod"
TIME_TRAVEL_TO = "2020-01-01T00:00:00Z"
FAKE_BUCKET = "cocoon-attachments-packaging-test"
FAKE_QUEUE_URL = "https://sqs.eu-central-1.amazonaws.com/123456789012/cocoon-billing"

# Runs inside the clean virtualenv with -I (no PYTHONPATH, no user site, no cwd on sys.path).
# Lambda puts the code (/var/task) first and its runtime with boto3 (/var/runtime) after it.
DRIVER = r"""
import json, sys
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
with open(result_path, "w", encoding="utf-8") as out:
    json.dump(result, out, default=str)
"""


# --- the build ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    assert package.main(["--out", str(out), "--stage", STAGE]) == 0, "make package failed (see captured stderr)"
    return out


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


def _function_environment(function: dict[str, Any]) -> dict[str, str]:
    """The deployed function's environment, with CloudFormation references made concrete."""
    env: dict[str, str] = {}
    for name, value in function["Properties"]["Environment"]["Variables"].items():
        if value == {"Ref": package.ATTACHMENTS_BUCKET}:
            value = FAKE_BUCKET
        if value == {"Ref": package.BILLING_QUEUE_ID}:
            value = FAKE_QUEUE_URL
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


def _lambda_env(function: dict[str, Any], sandbox: dict[str, Path], **overrides: str) -> dict[str, str]:
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
        "AWS_LAMBDA_FUNCTION_NAME": "cocoon-prod-APIHandler",
        "COCOON_LOCAL_DIR": str(sandbox["root"] / "local"),
    }
    env.update(_function_environment(function))
    env.update(overrides)
    return env


def _against_local_prod_tables(
    function: dict[str, Any], sandbox: dict[str, Path], db: str, tmp_path: Path
) -> tuple[dict[str, str], Any]:
    """The function's Lambda environment pointed at DynamoDB Local, and a client on its prod-named tables."""
    import boto3

    env = _lambda_env(
        function,
        sandbox,
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


def test_every_role_may_use_both_tables_their_indexes_mail_and_attachments(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    for name, function in functions.items():
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        policies = resources[role_id]["Properties"]["Policies"]
        statements = [s for policy in policies for s in policy["PolicyDocument"]["Statement"]]

        def granted(action: str, statements: list[dict[str, Any]] = statements) -> list[Any]:
            return [r for s in statements if action in s["Action"] for r in s["Resource"]]

        tables = granted("dynamodb:TransactWriteItems")
        for table in (MAIN_TABLE, IDEMPOTENCY_TABLE):
            assert {"Fn::GetAtt": [table, "Arn"]} in tables, (name, table)
            assert {"Fn::Sub": f"${{{table}.Arn}}/index/*"} in tables, (name, table)
        for action in package.DYNAMODB_ACTIONS:
            assert granted(action) == tables, (name, action)
        assert granted("ses:SendEmail"), name
        assert granted("ses:SendRawEmail"), name
        assert {"Fn::Sub": f"${{{package.ATTACHMENTS_BUCKET}.Arn}}/*"} in granted("s3:PutObject"), name
        assert granted("logs:PutLogEvents"), name


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
    from functions.billing import BILLING_QUEUE, QUEUE_BATCH_SIZE

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

    # The nightly dispatcher has the time to queue a million accounts; every function knows the queue.
    (dispatcher,) = [f for f in functions.values() if f["Properties"]["Handler"] == "app.job_billing"]
    assert dispatcher["Properties"]["Timeout"] == 900
    for function_name, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables[package.BILLING_QUEUE_ENV] == {"Ref": package.BILLING_QUEUE_ID}, function_name
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        statements = [
            statement
            for policy in resources[role_id]["Properties"]["Policies"]
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        on_queue = {
            action
            for statement in statements
            if {"Fn::GetAtt": [package.BILLING_QUEUE_ID, "Arn"]} in statement["Resource"]
            for action in statement["Action"]
        }
        assert {"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"} <= on_queue, function_name


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


def test_time_travel_stages_cannot_be_packaged() -> None:
    for stage in ("local", "test"):
        with pytest.raises(package.PackagingError, match="time travel"):
            package.chalice_config(stage)


# --- (c) handler strings ----------------------------------------------------------------------------------


def test_every_handler_string_names_an_attribute_of_app_py(
    functions: dict[str, Any], lambda_sandbox: dict[str, Path]
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
    result = _run_packaged(lambda_sandbox, _lambda_env(functions["APIHandler"], lambda_sandbox), handlers)
    assert result["missing_handlers"] == []


# --- (d) the packaged handler serves a signup ---------------------------------------------------------


def test_packaged_handler_serves_a_signup_at_the_real_moment(
    db: str,
    testdata_dir: Path,
    functions: dict[str, Any],
    lambda_sandbox: dict[str, Path],
    tmp_path: Path,
) -> None:
    api_handler = functions["APIHandler"]
    assert api_handler["Properties"]["Handler"] == "app.app"
    env, client = _against_local_prod_tables(api_handler, lambda_sandbox, db, tmp_path)

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
) -> None:
    from shared.contracts import BillingWorkItem
    from tests.functional.test_billing_reliability import NOW, _account_items

    _, consumer = _consumer(functions)
    env, client = _against_local_prod_tables(consumer, lambda_sandbox, db, tmp_path)
    partition = _account_items(0, "2026-04-01", None, random.Random(1))  # April and May are due
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
