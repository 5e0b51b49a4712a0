"""The HTTP contract (SPEC §9): inbound mail's outcome, suppressions and mail fate."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.contracts.base import BaseModel, _Request
from shared.contracts.email_address import EmailAddress


class InboundOutcome(BaseModel):
    outcome: Literal[
        "ticket_created",
        "message_added",
        "duplicate",
        "dropped",
        "closed_notice",
        "unverified_sender",
        "refused_too_many_parts",
        "refused_too_large",
    ] = Field(
        description="what became of the mail; a refused_* mail stored nothing and must not be sent again "
        "(it is answered 202 so that a relay does not retry it)"
    )
    ticket: str | None = None


class SuppressionLiftRequest(_Request):
    email: EmailAddress = Field(description="the address that may be mailed again")


class SuppressionLifted(BaseModel):
    email: str
    lifted: bool


class SuppressionShowRequest(_Request):
    email: EmailAddress = Field(description="the address to look up (in the body: addresses stay out of URLs and logs)")


class SuppressionView(BaseModel):
    email: str
    scope: Literal["all", "automatic"] = Field(
        description="all: nothing is sent (an address failure); automatic: only what the law or the contract "
        "needs still goes (a complaint)"
    )
    in_force: bool = Field(description="false once a complaint's stop has run out (`until` passed)")
    reason: str = Field(description='e.g. "SES bounce Permanent/General", "SES complaint abuse", "hard bounce 5.1.1"')
    source: str | None = Field(description="ses-bounce, ses-complaint, inbound-dsn, staff (older stops: none)")
    event_kind: str | None = Field(description="the event that stopped the address: bounce, complaint, dsn")
    since: str = Field(description="when the event happened (ISO 8601 UTC)")
    until: str | None = Field(description="a complaint's stop ends then (renewed by a new complaint); else none")
    diagnostic: str | None = Field(description="what the receiving mail server said")
    mail_id: str | None = Field(description="the mail whose event stopped the address")


class MailFateEntryView(BaseModel):
    kind: str = Field(description="send, delivery, bounce, complaint, reject, delivery_delay, rendering_failure")
    at: str
    detail: str | None = Field(description='e.g. "Permanent/General" for a bounce, the feedback type of a complaint')


class MailFateView(BaseModel):
    mail_id: str
    account_id: str | None
    recipient: str
    template: str | None
    created_at: str
    sent_at: str | None = Field(description="when the mail job handed it to SES (or wrote the .eml)")
    fate: str | None = Field(
        description="sent, delayed, delivered, bounced, rejected, complained (SES's events); suppressed or "
        "rate_limited (never sent); none: not sent yet, or no event yet"
    )
    fate_at: str | None
    ses_message_id: str | None
    send_event_at: str | None = Field(description="when SES's send event says it accepted the mail")
    history: list[MailFateEntryView]


class UnverifiedMailView(BaseModel):
    id: str
    account_id: str
    sender: str = Field(description="the contact's address the mail claimed to be from")
    subject: str
    reason: str = Field(description="why the sender is not trusted, e.g. dmarc_fail, virus, unauthenticated")
    received_at: str
    quoted_ticket: str | None


class UnverifiedMailList(BaseModel):
    mails: list[UnverifiedMailView]
