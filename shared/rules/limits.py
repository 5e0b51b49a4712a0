"""What a stranger (or a loop) may make us do per hour: which mails count, and the hour they count in.

Pure: no clock ("now" is passed in) and no storage; the counters live in shared/storage/rate_limits.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Mails the law or the contract needs, or that a person wrote: never held back by the hourly limit of
# automatic mails (SPEC §6, §11), and still sent to an address whose owner complained about our mail
# (SPEC §12): the one list of mails that are not "automatic". Every other template counts and stops,
# so a new automatic mail is limited, and stopped by a complaint, by default (fail closed).
MAILS_EXEMPT_FROM_LIMIT: dict[str, str] = {
    "invoice": "an invoice must reach the customer (§14 UStG)",
    "credit_note": "a correction of an invoice must reach the customer (§14 UStG)",
    "signup_verification": "the signup cannot complete without it; asked for by the person signing up",
    "conversion_confirmation": "confirms a contract",
    "cancellation_confirmation": "confirms a written notice of cancellation",
    "cancellation_withdrawn": "confirms that a cancellation was withdrawn",
    "deactivated_trial": "notice that the service ended",
    "deactivated_cancellation": "notice that the contract ended",
    "deletion_warning": "notice before personal data is deleted",
    "service_report": "the contract's approval of billable hours",
    "authorization_request": "the contract's approval before a change",
    "ticket_reply": "written by a support agent, not automatic",
    "escalation": "to our own support lead, not to a customer",
    "customer_replied": "to our own agent, not to a customer (each agent can turn it off)",
    "ticket_at_risk": "to our own support lead, not to a customer",
    "payment_reminder": "a demand for payment of an invoice (the contract's dunning)",
    "second_reminder": "a demand for payment of an invoice (the contract's dunning)",
    "final_notice": "the last demand before the service is suspended",
    "account_suspended": "notice that the service was suspended, and how to end it",
}


def counts_against_mail_limit(template: str | None) -> bool:
    """An automatic mail (acknowledgements, notices about tickets, reminders) counts; an exempt one never."""
    return template not in MAILS_EXEMPT_FROM_LIMIT


def a_complaint_stops(template: str | None) -> bool:
    """After a complaint the address gets only what the law or the contract needs (the same list as above:
    invoices, credit notes, signup, contract, cancellation, deactivation and deletion notices, the
    contract's signed decisions) and what a person wrote; every automatic mail stops."""
    return template not in MAILS_EXEMPT_FROM_LIMIT


def hour_window(now: datetime) -> str:
    """The clock hour (UTC) a limit counts in, e.g. "2026112310": fixed windows, one counter item each."""
    return now.astimezone(UTC).strftime("%Y%m%d%H")


def seconds_until_next_window(now: datetime) -> int:
    """What Retry-After says: the seconds until the next hour starts (at least 1)."""
    moment = now.astimezone(UTC)
    next_hour = moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return max(1, int((next_hour - moment).total_seconds() + 0.999))
