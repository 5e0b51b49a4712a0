"""Our outgoing mail's fate: SES configuration set → SNS `cocoon-mail-events` → `mail_events_from_ses` (SPEC §12).

Every mail is sent with the configuration set (its name in `COCOON_SES_CONFIGURATION_SET`); its event
destination publishes send, delivery, bounce, complaint, reject, delivery delay and rendering
failure events to the topic, which only SES acting for this configuration set of this account may
publish to. The subscription and the consumer have the same dead-letter queue, alarm and retries as
the inbound topic (infra/inbound_email_topic.py), and the consumer verifies SNS's signature.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from infra.inbound_email_topic import SesTopic

TOPIC_NAME = "cocoon-mail-events"  # app.py subscribes by this name
CONFIGURATION_SET_ID = "MailConfigurationSet"
EVENT_DESTINATION_ID = "MailEventDestination"
CONFIGURATION_SET_ENV = "COCOON_SES_CONFIGURATION_SET"
# SES's names of the event types we take (all that concern delivery; no opens or clicks: we track nobody).
EVENT_TYPES = ("send", "delivery", "bounce", "complaint", "reject", "deliveryDelay", "renderingFailure")


def configuration_set_name(stage: str) -> str:
    return f"cocoon-{stage}-mail"


MAIL_EVENTS = SesTopic(
    topic="MailEventsTopic",
    topic_policy="MailEventsTopicPolicy",
    dead_letters="MailEventsDeadLetterQueue",
    dead_letters_policy="MailEventsDeadLetterQueuePolicy",
    dead_letters_alarm="MailEventsDeadLettersAlarm",
    invoke_config="MailEventsInvokeConfig",
    alarm_text="SES events of our mail the consumer failed on (or forged messages), or SNS could not deliver.",
)


def topic_ids(stage: str) -> SesTopic:
    """The ids, with the one publisher allowed: SES for this stage's configuration set."""
    return replace(MAIL_EVENTS, publisher_arn=f"configuration-set/{configuration_set_name(stage)}")


def configuration_set_resources(stage: str) -> dict[str, dict[str, Any]]:
    topic = MAIL_EVENTS
    return {
        CONFIGURATION_SET_ID: {
            "Type": "AWS::SES::ConfigurationSet",
            "Properties": {"Name": configuration_set_name(stage)},
        },
        EVENT_DESTINATION_ID: {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            # SES checks that it may publish when the destination is created: the topic policy first.
            "DependsOn": [topic.topic_policy],
            "Properties": {
                "ConfigurationSetName": {"Ref": CONFIGURATION_SET_ID},
                "EventDestination": {
                    "Name": "mail-events-to-sns",
                    "Enabled": True,
                    "MatchingEventTypes": list(EVENT_TYPES),
                    "SnsDestination": {"TopicARN": {"Ref": topic.topic}},
                },
            },
        },
    }
