"""`cocoon deliver-event <handler> <file>`: an event file to a declared handler of app.py, like `sam local invoke -e`.

What the file holds, and what the handler gets (one Lambda invocation per SNS message, as Lambda does):
- a Lambda event (`Records`): SNS records have their `Message` published anew on the handler's
  topic (below); SQS records go as they are;
- an SNS message (`Type`, `Message`, ...): its `Message`, published on the handler's topic;
- anything else, e.g. a bare SES notification or event (`../shared/testdata/ses_notifications/`):
  for an SNS handler the message of one notification on its topic, for an SQS handler the body of
  one message. A schedule handler takes no file: `cocoon run-job` runs its job.

SNS signatures: the SNS handlers verify every message against AWS's certificate for our topic.
Locally there is no AWS, so this command plays SNS: it signs with a key it makes in memory for this
one run (shared/local_sns.py) and, while it runs, answers that key's certificate to the verifier
(`playing_sns`). Everything else of the verification runs as deployed (topic, certificate host,
signature). Nothing is stored or configured that a function could later trust: the key dies with
the command, deployed functions never run it, and it refuses any stage but `local` and `test`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOCAL_ACCOUNT_ID = "000000000000"  # the account id AWS's own local tools use


class EventFileError(ValueError):
    """The file or the handler does not fit: the message says why (shown to the user)."""


def _require_local_stage() -> None:
    from shared.settings import get_settings

    stage = get_settings().stage
    if not get_settings().time_travel_allowed:
        raise EventFileError(f"deliver-event is only allowed in the local and test stages (stage: {stage})")


def declared_sources(app: Any) -> dict[str, Any]:
    """The app's event handlers (SNS, SQS, schedules) by name, as Chalice declares them."""
    return {source.name: source for source in app.event_sources}


def local_topic_arn(topic: str) -> str:
    """The ARN the local and test stages give an SNS topic (the one their handlers trust)."""
    from shared.settings import get_settings

    return f"arn:aws:sns:{get_settings().region}:{LOCAL_ACCOUNT_ID}:{topic}"


def _sns_messages(payload: Any) -> list[tuple[str, str | None]]:
    """(Message, Subject) of each SNS message in the file."""
    if isinstance(payload, dict) and isinstance(payload.get("Records"), list):
        records = [r["Sns"] for r in payload["Records"] if isinstance(r, dict) and isinstance(r.get("Sns"), dict)]
        found = [(r["Message"], r.get("Subject")) for r in records if isinstance(r.get("Message"), str)]
        if not found:
            raise EventFileError("the file's Records hold no SNS message (Records[].Sns.Message)")
        return found
    if isinstance(payload, dict) and payload.get("Type") == "Notification" and isinstance(payload.get("Message"), str):
        return [(payload["Message"], payload.get("Subject"))]
    return [(json.dumps(payload), None)]


def _sqs_event(payload: Any, queue: str) -> dict[str, Any]:
    from shared.settings import get_settings

    if isinstance(payload, dict) and isinstance(payload.get("Records"), list):
        return payload
    region = get_settings().region
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "local",
                "body": payload if isinstance(payload, str) else json.dumps(payload),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{region}:{LOCAL_ACCOUNT_ID}:{queue}",
                "awsRegion": region,
            }
        ]
    }


def lambda_events(source: Any, payload: Any, signer: Any) -> list[dict[str, Any]]:
    """The Lambda events the handler declared by `source` gets for the file's `payload`."""
    from chalice.app import SNSEventConfig, SQSEventConfig

    if isinstance(source, SNSEventConfig):
        arn = local_topic_arn(source.topic)
        return [signer.lambda_event(message, arn, subject=subject) for message, subject in _sns_messages(payload)]
    if isinstance(source, SQSEventConfig):
        return [_sqs_event(payload, source.queue or "queue")]
    raise EventFileError(f"{source.name} is not an SNS or SQS handler (a schedule runs with `cocoon run-job`)")


@contextmanager
def playing_sns(signer: Any) -> Iterator[None]:
    """While the command runs, the certificate source answers the local signer's certificate (for its URL only)."""
    from shared import sns_certificates

    _require_local_stage()
    fetch = sns_certificates.fetch_certificate
    sns_certificates.fetch_certificate = signer.certificate
    try:
        yield
    finally:
        sns_certificates.fetch_certificate = fetch


def _declared_app() -> Any:
    """app.py is the project's top-level module, not an installed package: the `cocoon` console script
    starts with its own bin directory on sys.path, not the project, so the project root goes there."""
    import sys

    from shared.settings import PROJECT_ROOT

    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    from app import app

    return app


def deliver_event_file(handler: str, text: str) -> list[Any]:
    """Invoke the declared `handler` of app.py with the event(s) made from the file's `text`; their answers."""
    from chalice.local import LambdaContext

    from shared.local_sns import local_sns

    _require_local_stage()
    app = _declared_app()
    sources = declared_sources(app)
    if handler not in sources:
        raise EventFileError(f"no handler {handler!r} in app.py; declared: {', '.join(sorted(sources))}")
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise EventFileError(f"the event file is not JSON: {exc}") from exc
    signer = local_sns()
    events = lambda_events(sources[handler], payload, signer)
    context = LambdaContext(handler, memory_size=512, max_runtime_ms=900_000)
    answers = []
    with playing_sns(signer):
        for event in events:
            answers.append(app.handler_map[handler](event, context))
    return answers
