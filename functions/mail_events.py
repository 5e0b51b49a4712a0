"""SES's events about our outgoing mail (configuration set → SNS `cocoon-mail-events` → here), SPEC §12.

Thin: verify that SNS signed the message for our topic, read the SES event, record it on its mail.

- A forged message (bad signature, another topic, a certificate not on AWS SNS's host, not a
  notification) raises `ForgedSnsMessage`: it has no effect, the invocation fails, Lambda retries it
  twice and then puts it in the dead-letter queue, whose alarm makes someone look. A forgery that
  reaches this function at all means someone invoked it besides SNS: that must be seen, not dropped.
- A verified message that is no event of ours (unknown or malformed, another SES event type) is
  logged by its type only, counted (`MailEventIgnored`) and acknowledged without effect.
- Replays are harmless, whenever they come: an event is recorded once (shared/storage/mail_fate.py),
  so no freshness window is needed on top of the signature.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shared.observability import logger, metrics
from shared.rules.sns_signature import CertificateSource, ForgedSnsMessage, verify_sns_message

IGNORED = "ignored"


def verified_sns_message(sns_record_message: str, topic_arn: str | None, certificate: CertificateSource | None) -> str:
    """The SNS `Message` inside a record's `Sns` object (as JSON text), once its signature is verified."""
    from shared import sns_certificates

    try:
        envelope = json.loads(sns_record_message)
    except (ValueError, RecursionError) as exc:
        raise ForgedSnsMessage("SNS record is not JSON") from exc
    if not isinstance(envelope, dict):
        raise ForgedSnsMessage("SNS record is not an object")
    if not topic_arn:
        raise ForgedSnsMessage("this stage names no topic to trust (settings): every message is refused")
    return verify_sns_message(
        envelope, topic_arn=topic_arn, certificate=certificate or sns_certificates.fetch_certificate
    )


def sns_record_message(event_dict: dict[str, Any]) -> str:
    """The one record's `Sns` object of a Lambda SNS event, as the JSON text the verifier reads."""
    return json.dumps(event_dict["Records"][0]["Sns"])


def take_mail_event(sns_record_message: str, now: datetime, *, certificate: CertificateSource | None = None) -> str:
    """Verify, read and record one SES event; the outcome's name (shared/storage/mail_fate.py, or "ignored").

    `sns_record_message` is the record's `Sns` object as JSON text (Lambda's record or SNS's HTTP
    body: both spellings of the certificate URL are read). `certificate` replaces AWS's certificate
    source for tests and `make run`, which sign with their own key (shared/local_sns.py).
    """
    from shared.rules.ses_events import event_type_name, parse_ses_event
    from shared.settings import get_settings
    from shared.storage.mail_fate import record_mail_event

    try:
        message = verified_sns_message(sns_record_message, get_settings().mail_events_topic_arn, certificate)
    except ForgedSnsMessage as exc:
        metrics.add_metric(name="MailEventForged", unit="Count", value=1)
        logger.warning("refused an SNS message that is not SES's for our topic", extra={"why": str(exc)})
        raise
    event = parse_ses_event(message)
    if event is None:
        metrics.add_metric(name="MailEventIgnored", unit="Count", value=1)
        logger.warning("SES message ignored: unknown or malformed", extra={"type": event_type_name(message)})
        return IGNORED
    outcome = record_mail_event(event, now)
    metrics.add_metric(name=f"MailEvent_{outcome}", unit="Count", value=1)
    logger.info("SES event", extra={"kind": event.kind, "outcome": outcome, "mail_id": event.mail_id})
    return outcome
