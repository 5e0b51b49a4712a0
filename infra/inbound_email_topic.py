"""SES receipt → SNS → `inbound_email_from_ses`: the topic, who may publish to it, and where failures go.

app.py's consumer subscribes by topic name and verifies SNS's signature and the topic of what arrives
(besides, only its subscription can invoke it); only SES, acting for this account, may publish. A mail
the consumer fails on three times (Lambda's two retries of an asynchronous invocation), or that SNS
cannot deliver, lands in a dead-letter queue with an alarm rather than vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.alarms import dead_letters_alarm

TOPIC_ID = "InboundEmailTopic"
TOPIC_POLICY_ID = "InboundEmailTopicPolicy"
DEAD_LETTERS_ID = "InboundEmailDeadLetterQueue"
DEAD_LETTERS_POLICY_ID = "InboundEmailDeadLetterQueuePolicy"
DEAD_LETTERS_ALARM_ID = "InboundEmailDeadLettersAlarm"
INVOKE_CONFIG_ID = "InboundEmailInvokeConfig"
# Lambda retries a failed asynchronous invocation at most twice; then the on-failure destination.
RETRIES = 2


@dataclass(frozen=True)
class SesTopic:
    """The logical ids of one SES → SNS → consumer path (this one, and infra/mail_events_topic.py's)."""

    topic: str
    topic_policy: str
    dead_letters: str
    dead_letters_policy: str
    dead_letters_alarm: str
    invoke_config: str
    alarm_text: str
    publisher_arn: str = "*"  # the SES resource that publishes (after `ses:<region>:<account>:`)


INBOUND_EMAIL = SesTopic(
    TOPIC_ID,
    TOPIC_POLICY_ID,
    DEAD_LETTERS_ID,
    DEAD_LETTERS_POLICY_ID,
    DEAD_LETTERS_ALARM_ID,
    INVOKE_CONFIG_ID,
    "Inbound mails the SES consumer failed on, or SNS could not deliver: look at them.",
)


def sns_events(function: dict[str, Any]) -> dict[str, dict[str, Any]]:
    events = function.get("Properties", {}).get("Events", {})
    return {name: event for name, event in events.items() if event.get("Type") == "SNS"}


def topic_name(event: dict[str, Any]) -> str:
    """The topic Chalice subscribed to: the last part of the ARN it wrote (`...:cocoon-inbound-email`)."""
    topic = event["Properties"]["Topic"]
    arn = topic["Fn::Sub"] if isinstance(topic, dict) else str(topic)
    return str(arn).rsplit(":", 1)[-1]


def topic_resources(name: str, consumer_id: str, ids: SesTopic = INBOUND_EMAIL) -> dict[str, dict[str, Any]]:
    topic_arn = {"Ref": ids.topic}
    dead_letters_arn = {"Fn::GetAtt": [ids.dead_letters, "Arn"]}
    return {
        ids.topic: {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name}},
        ids.topic_policy: {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [topic_arn],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "OnlySesOfThisAccountPublishes",
                            "Effect": "Allow",
                            "Principal": {"Service": "ses.amazonaws.com"},
                            "Action": "SNS:Publish",
                            "Resource": topic_arn,
                            "Condition": {
                                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                                "ArnLike": {
                                    "aws:SourceArn": {
                                        "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
                                        + ids.publisher_arn
                                    }
                                },
                            },
                        }
                    ],
                },
            },
        },
        ids.dead_letters: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": f"{name}-dead-letters",
                "MessageRetentionPeriod": 14 * 24 * 3600,  # the longest SQS keeps: time to look and redrive
                "SqsManagedSseEnabled": True,
            },
        },
        ids.dead_letters_policy: {
            # For the subscription's redrive: SNS itself puts what it could not deliver.
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": ids.dead_letters}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "UndeliveredFromTheTopic",
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": dead_letters_arn,
                            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                        }
                    ],
                },
            },
        },
        ids.dead_letters_alarm: dead_letters_alarm(ids.dead_letters, ids.alarm_text),
        ids.invoke_config: {
            "Type": "AWS::Lambda::EventInvokeConfig",
            "Properties": {
                "FunctionName": {"Ref": consumer_id},
                "Qualifier": "$LATEST",
                "MaximumRetryAttempts": RETRIES,
                "DestinationConfig": {"OnFailure": {"Destination": dead_letters_arn}},
            },
        },
    }


def consumer_addition(event_names: list[str], ids: SesTopic = INBOUND_EMAIL) -> dict[str, Any]:
    """What the consumer function gets: created after the topic, and a redrive on its subscription."""
    dead_letters_arn = {"Fn::GetAtt": [ids.dead_letters, "Arn"]}
    return {
        # Chalice names the topic by an ARN string, which alone would not order the subscription after it.
        "DependsOn": [ids.topic],
        "Properties": {
            "Events": {
                name: {"Properties": {"RedrivePolicy": {"deadLetterTargetArn": dead_letters_arn}}}
                for name in event_names
            }
        },
    }


def send_dead_letters_statement(ids: SesTopic = INBOUND_EMAIL, sid: str = "InboundDeadLetters") -> dict[str, Any]:
    """The consumer's role: Lambda sends the on-failure record with the function's own permissions."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": [{"Fn::GetAtt": [ids.dead_letters, "Arn"]}],
    }
