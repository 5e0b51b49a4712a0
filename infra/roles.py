"""One least-privilege role per deployed function (SPEC §11), written by hand.

Chalice's policy autogen reads boto3 calls from app.py and cannot see PynamoDB's, so each role is
built from what its function does (`FUNCTION_NEEDS`, keyed by the Lambda handler string). A new
function in app.py has no entry: the build refuses it until someone says what it may touch.
Every function writes its logs to its own log group (created here, with a retention), and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra import mail_events_topic
from infra.inbound_email_topic import send_dead_letters_statement
from infra.stage_secrets import read_secrets_statement
from infra.tables import IDEMPOTENCY_TABLE, MAIN_TABLE
from shared.secrets import secrets_needed

ATTACHMENTS_BUCKET = "AttachmentsBucket"
BILLING_QUEUE_ID = "BillingQueue"
# Support mails and job runs are looked at for weeks, not kept for ever.
LOG_RETENTION_DAYS = 90
DYNAMODB_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchWriteItem",
    "dynamodb:BatchGetItem",
    "dynamodb:TransactWriteItems",
    "dynamodb:TransactGetItems",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
QUEUE_SEND = ("sqs:SendMessage",)
QUEUE_CONSUME = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes")
# Every blob lives under an account's prefix, `accounts/<id>/` (shared/storage/blobs.py account_prefix):
# objects are reachable there only, and listing is allowed for those prefixes only.
BLOB_PREFIX = "accounts/"


class UndeclaredFunction(ValueError):
    """A function of the template that FUNCTION_NEEDS does not describe."""


@dataclass(frozen=True)
class FunctionNeeds:
    """What a function touches besides the main table and its own logs (which every function has)."""

    idempotency_table: bool = False  # Powertools' idempotency records: the API's creating POSTs
    writes_blobs: bool = False  # raw mails and attachments (and removes what a failed intake wrote)
    deletes_account_blobs: bool = False  # the deletion job: lists an account's prefix, then deletes it
    sends_mail: bool = False  # SES: the mail job alone delivers the outbox
    billing_queue: tuple[str, ...] = ()
    inbound_dead_letters: bool = False  # the SES consumer's on-failure destination
    mail_events_dead_letters: bool = False  # the SES event consumer's on-failure destination


FUNCTION_NEEDS: dict[str, FunctionNeeds] = {
    "app.app": FunctionNeeds(idempotency_table=True, writes_blobs=True),
    "app.job_mail": FunctionNeeds(sends_mail=True),
    "app.job_trial_expiry": FunctionNeeds(),
    "app.job_lifecycle": FunctionNeeds(deletes_account_blobs=True),
    "app.job_billing": FunctionNeeds(billing_queue=QUEUE_SEND),
    "app.bill_accounts_from_queue": FunctionNeeds(billing_queue=QUEUE_CONSUME),
    "app.job_sla_watch": FunctionNeeds(),
    "app.job_dunning": FunctionNeeds(),  # the main table only: invoices, accounts, the outbox
    "app.inbound_email_from_ses": FunctionNeeds(writes_blobs=True, inbound_dead_letters=True),
    # Records mail fates and suppressions (main table only), fails into its dead-letter queue.
    "app.mail_events_from_ses": FunctionNeeds(mail_events_dead_letters=True),
}


def function_needs(handler: str) -> FunctionNeeds:
    if handler not in FUNCTION_NEEDS:
        raise UndeclaredFunction(f"infra/roles.py FUNCTION_NEEDS does not say what {handler} may touch")
    return FUNCTION_NEEDS[handler]


def function_name(stage: str, function_id: str) -> str:
    """A fixed name, so the role can name the function's log group without depending on the function."""
    return f"cocoon-{stage}-{function_id}"


def log_group_id(function_id: str) -> str:
    return f"{function_id}LogGroup"


def log_group(stage: str, function_id: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": f"/aws/lambda/{function_name(stage, function_id)}",
            "RetentionInDays": LOG_RETENTION_DAYS,
        },
    }


def policy_document(handler: str, function_id: str) -> dict[str, Any]:
    needs = function_needs(handler)
    tables = (MAIN_TABLE, IDEMPOTENCY_TABLE) if needs.idempotency_table else (MAIN_TABLE,)
    table_arns: list[Any] = []
    for logical_id in tables:
        table_arns.append({"Fn::GetAtt": [logical_id, "Arn"]})
        table_arns.append({"Fn::Sub": f"${{{logical_id}.Arn}}/index/*"})
    statements: list[dict[str, Any]] = [
        {"Sid": "Tables", "Effect": "Allow", "Action": list(DYNAMODB_ACTIONS), "Resource": table_arns},
        {
            "Sid": "OwnLogs",
            "Effect": "Allow",
            # No logs:CreateLogGroup: the template creates the group.
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::GetAtt": [log_group_id(function_id), "Arn"]}],
        },
    ]
    objects = {"Fn::Sub": f"${{{ATTACHMENTS_BUCKET}.Arn}}/{BLOB_PREFIX}*"}
    if needs.writes_blobs:
        statements.append(_allow("WriteBlobs", ["s3:PutObject", "s3:DeleteObject"], [objects]))
    if needs.deletes_account_blobs:
        statements.append(_allow("DeleteAccountBlobs", ["s3:DeleteObject"], [objects]))
        statements.append(
            {
                "Sid": "ListAccountBlobs",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [{"Fn::GetAtt": [ATTACHMENTS_BUCKET, "Arn"]}],
                "Condition": {"StringLike": {"s3:prefix": [f"{BLOB_PREFIX}*"]}},
            }
        )
    if needs.sends_mail:
        ses_prefix = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"
        statements.append(
            _allow(
                "SendMail",
                ["ses:SendEmail", "ses:SendRawEmail"],
                [{"Fn::Sub": f"{ses_prefix}:identity/*"}, {"Fn::Sub": f"{ses_prefix}:configuration-set/*"}],
            )
        )
    if needs.billing_queue:
        statements.append(
            _allow("BillingQueue", list(needs.billing_queue), [{"Fn::GetAtt": [BILLING_QUEUE_ID, "Arn"]}])
        )
    if needs.inbound_dead_letters:
        statements.append(send_dead_letters_statement())
    if needs.mail_events_dead_letters:
        statements.append(send_dead_letters_statement(mail_events_topic.MAIL_EVENTS, "MailEventsDeadLetters"))
    secrets = secrets_needed(handler)
    if secrets:
        statements.append(read_secrets_statement(secrets))
    return {"Version": "2012-10-17", "Statement": statements}


def _allow(sid: str, actions: list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
