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
from typing import Any

from chalice.app import Chalice

from functions import (
    account_billing,
    account_cancellation,
    account_language,
    account_ratings,
    account_requests,
    account_settings,
    account_sign_in,
    account_subscription,
    account_subscription_actions,
    account_support_link,
    account_tickets,
    account_uploads,
    accounts,
    apps,
    billing,
    billing_address,
    cancellation,
    credit_notes,
    customer_links,
    desk,
    desk_account_actions,
    desk_accounts,
    desk_attachments,
    desk_canned_replies,
    desk_language,
    desk_notifications,
    desk_queues,
    desk_second_factor,
    desk_staff,
    desk_ticket_page,
    desk_ticket_work,
    direct_debits,
    docs,
    export,
    inbound_email,
    mail_events,
    mail_review,
    payments,
    rating_links,
    signup,
    staff_accounts,
    staff_ticket_handling,
    staff_ticket_work,
    staff_tickets,
    static_files,
    subscription,
    ticket_merge,
    tickets,
    users,
    web_pages,
)
from functions.jobs import JOBS, run_job
from shared.api.middleware import cocoon_http_middleware
from shared.observability import logger
from shared.secrets import refuse_without_secrets

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
for blueprint_module in (
    signup,
    accounts,
    subscription,
    users,
    apps,
    cancellation,
    billing,
    payments,
    billing_address,
    credit_notes,
    direct_debits,
    export,
    tickets,
    inbound_email,
    mail_review,
    staff_tickets,
    staff_ticket_handling,
    staff_ticket_work,
    customer_links,
    rating_links,
    web_pages,
    desk,
    desk_second_factor,
    desk_staff,
    desk_notifications,
    desk_language,
    desk_accounts,
    desk_account_actions,
    desk_queues,
    desk_ticket_page,
    desk_ticket_work,
    desk_canned_replies,
    ticket_merge,
    desk_attachments,
    staff_accounts,
    account_sign_in,
    account_requests,
    account_language,
    account_ratings,
    account_tickets,
    account_subscription,
    account_subscription_actions,
    account_cancellation,
    account_billing,
    account_settings,
    account_support_link,
    account_uploads,
    static_files,
    docs,
):
    app.register_blueprint(blueprint_module.bp)


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
    queue=billing.BILLING_QUEUE,
    batch_size=billing.QUEUE_BATCH_SIZE,
    maximum_batching_window_in_seconds=5,  # fill batches of 25 (one commit each) rather than bill one by one
    maximum_concurrency=20,  # the counter serializes commits anyway (infra/BILLING_SCALE.md)
    name="bill_accounts_from_queue",
)
def bill_accounts_from_queue(event: Any) -> dict[str, Any]:
    """The nightly billing job's work items. Only the messages that failed go back to the queue: the
    template turns on ReportBatchItemFailures (infra/package.py), which Chalice does not set."""
    messages = [(record.to_dict()["messageId"], record.body) for record in event]
    failed = billing.bill_queued_accounts(messages)
    logger.info("billed queued accounts", extra={"messages": len(messages), "failed": len(failed)})
    return billing.batch_item_failures(failed)


@app.on_sns_message(topic="cocoon-inbound-email", name="inbound_email_from_ses")
def inbound_email_from_ses(event: Any) -> None:
    """SES receipt rule → SNS → here. Only SNS's subscription may invoke this function, and the message
    must carry SNS's signature for our topic too (a forgery raises: no effect, dead-letter queue);
    a redelivery has the same Message-ID and no second effect."""
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
    outcome = mail_events.take_mail_event(mail_events.sns_record_message(event.to_dict()), datetime.now(UTC))
    logger.info("mail event", extra={"outcome": outcome})


@app.schedule(JOBS["sla-watch"].schedule, name="job_sla_watch")
def job_sla_watch(event: Any) -> None:
    _scheduled("sla-watch")


@app.schedule(JOBS["dunning"].schedule, name="job_dunning")
def job_dunning(event: Any) -> None:
    _scheduled("dunning")


cold_start.imported()  # last: every module and route above stays alive for the process
