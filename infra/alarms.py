"""CloudWatch alarms of the template: a dead-letter queue that holds anything is someone's work lost."""

from __future__ import annotations

from typing import Any


def dead_letters_alarm(queue_id: str, description: str) -> dict[str, Any]:
    """Alarm as soon as one message sits in the dead-letter queue `queue_id` (a logical id)."""
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}],
            "Statistic": "Maximum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
        },
    }
