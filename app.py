"""Wires Cocoon's functions into one Chalice app.

Schedules and event handlers are declared here, not in blueprints: deployed,
a blueprint's handler is imported without app.py and its middleware would
silently not run (Chalice issue #1566). Handler strings are `app.<name>`.
"""

from __future__ import annotations

# First: the collector pauses while the modules below are imported (shared/cold_start.py).
from shared import cold_start

# isort: split
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalice.app import Chalice

import functions
from functions.jobs import JOBS, run_job
from shared.api.middleware import cocoon_http_middleware
from shared.api.route_index import INDEX_FILE_NAME, read_route_index, register_indexed_routes
from shared.observability import logger
from shared.secrets import refuse_without_secrets
from shared.services.billing.sizes import BATCH_SIZE, BILLING_QUEUE

app = Chalice(app_name="cocoon")
# Fail closed: a function without its signing keys (or with a local default) serves no request and runs
# no job, raising an error that names the secret (SPEC §11). Checked on the first event, not at import,
# so a cold start does not wait for Secrets Manager before it has anything to do.
app.register_middleware(refuse_without_secrets, "all")
app.register_middleware(cocoon_http_middleware, "http")
# Raw mails arrive as bytes: API Gateway must not treat them as text.
app.api.binary_types.append("message/rfc822")
app.api.binary_types.append("application/pdf")  # invoice and credit-note PDFs leave as bytes
app.api.binary_types.append("multipart/form-data")  # the account pages' screenshot and log uploads
# Every route, from the index of the modules that declare them (shared/api/route_index.py): a route's module
# is imported when the route is first served, so a cold start loads only its own and a job's loads none.
register_indexed_routes(app, read_route_index(Path(functions.__file__).parent / INDEX_FILE_NAME))


def _scheduled(job: str) -> None:
    # Deployed jobs run at the real moment: time travel is for local and test stages only.
    result = run_job(job, datetime.now(UTC))
    logger.info("job finished", extra={"job": job, "summary": result.summary()})


@app.schedule(JOBS["mail"].schedule, name="job_mail")
def job_mail(event: Any) -> None:
    _scheduled("mail")


@app.schedule(JOBS["trial-expiry"].schedule, name="job_trial_expiry")
def job_trial_expiry(event: Any) -> None:
    _scheduled("trial-expiry")


@app.schedule(JOBS["lifecycle"].schedule, name="job_lifecycle")
def job_lifecycle(event: Any) -> None:
    _scheduled("lifecycle")


@app.schedule(JOBS["billing"].schedule, name="job_billing")
def job_billing(event: Any) -> None:
    _scheduled("billing")


@app.on_sqs_message(
    queue=BILLING_QUEUE,
    batch_size=BATCH_SIZE,
    maximum_batching_window_in_seconds=5,  # fill batches of 25 (one commit each) rather than bill one by one
    maximum_concurrency=20,  # the counter serializes commits anyway (infra/BILLING_SCALE.md)
    name="bill_accounts_from_queue",
)
def bill_accounts_from_queue(event: Any) -> dict[str, Any]:
    """The nightly billing job's work items. Only the messages that failed go back to the queue: the
    template turns on ReportBatchItemFailures (infra/package.py), which Chalice does not set."""
    from functions import billing

    messages = [(record.to_dict()["messageId"], record.body) for record in event]
    failed = billing.bill_queued_accounts(messages)
    logger.info("billed queued accounts", extra={"messages": len(messages), "failed": len(failed)})
    return billing.batch_item_failures(failed)


@app.on_sns_message(topic="cocoon-inbound-email", name="inbound_email_from_ses")
def inbound_email_from_ses(event: Any) -> None:
    """SES receipt rule → SNS → here. Only SNS's subscription may invoke this function, and the message
    must carry SNS's signature for our topic too (a forgery raises: no effect, dead-letter queue);
    a redelivery has the same Message-ID and no second effect."""
    from functions import inbound_email, mail_events
    from shared.settings import get_settings

    sns = mail_events.sns_record_message(event.to_dict())
    message = mail_events.verified_sns_message(sns, get_settings().inbound_email_topic_arn, None)
    raw = inbound_email.raw_mail_from_ses_notification(message)
    if raw is None:
        logger.warning("SNS message is not an SES Received notification with content")
        return
    trust = inbound_email.sender_trust_from_ses_notification(message)
    outcome, number = inbound_email.take_in_mail(raw, datetime.now(UTC), trust=trust)
    logger.info("inbound mail", extra={"outcome": outcome, "ticket": number, "via": "ses"})


@app.on_sns_message(topic="cocoon-mail-events", name="mail_events_from_ses")
def mail_events_from_ses(event: Any) -> None:
    """Our mails' SES events (configuration set → SNS → here): verified, recorded on their outbox mail.
    A forged message raises (no effect; Lambda's retries, then the dead-letter queue and its alarm)."""
    from functions import mail_events

    outcome = mail_events.take_mail_event(mail_events.sns_record_message(event.to_dict()), datetime.now(UTC))
    logger.info("mail event", extra={"outcome": outcome})


@app.schedule(JOBS["sla-watch"].schedule, name="job_sla_watch")
def job_sla_watch(event: Any) -> None:
    _scheduled("sla-watch")


@app.schedule(JOBS["dunning"].schedule, name="job_dunning")
def job_dunning(event: Any) -> None:
    _scheduled("dunning")


cold_start.imported()  # last: every module and route above stays alive for the process
