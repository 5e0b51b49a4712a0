"""The HTTP contract (SPEC §9) as pydantic models: request validation and the OpenAPI schemas.

Imported lazily by the handlers that need it, so cold starts of functions that
do not parse input pay nothing for pydantic.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, EmailStr, Field, ValidationInfo, field_validator
from pydantic import BaseModel as _PydanticModel

from shared.policy import get_policy
from shared.rules.accounts.states import AccountState, OrganizationType
from shared.rules.country_codes import COUNTRY_CODES


class BaseModel(_PydanticModel):
    """Every contract's base: its validator is built on first use, not at import. A cold function
    validates one or two of these models; building all of them cost ~30 ms of each first request."""

    model_config = ConfigDict(defer_build=True)


class _Request(BaseModel):
    # Web forms may send more fields than we read (buttons, CSRF tokens); ignore them.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class SignupRequest(_Request):
    company_name: str = Field(min_length=1, max_length=200)
    organization_type: OrganizationType
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2")
    vat_id: str | None = Field(default=None, max_length=40)
    admin_name: str = Field(min_length=1, max_length=200)
    admin_email: EmailStr
    language: str = Field(min_length=2, max_length=2)
    accept_dpa: bool
    website: str | None = Field(default=None, description="spam trap: must be empty")
    street: str | None = Field(default=None, max_length=200, description="billing address (for invoices)")
    postcode: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    billing_email: EmailStr | None = Field(default=None, description="where invoices go (default: the admin)")

    @field_validator("billing_email", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        value = value.upper()
        if value not in COUNTRY_CODES:
            raise ValueError("not an ISO 3166 alpha-2 country code")
        return value

    @field_validator("language")
    @classmethod
    def _offered_language(cls, value: str) -> str:
        value = value.lower()
        if value not in get_policy().languages:
            raise ValueError(f"must be one of {', '.join(get_policy().languages)}")
        return value

    @field_validator("vat_id")
    @classmethod
    def _empty_vat_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("accept_dpa")
    @classmethod
    def _dpa_accepted(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the order-processing contract (DPA) must be accepted")
        return value


class SignupAccepted(BaseModel):
    status: Literal["verification_sent"]
    message: str


class VerifyRequest(_Request):
    token: str = Field(min_length=10, max_length=200)


class VerifyResult(BaseModel):
    account_id: str
    admin_token: str = Field(description="shown once; store it safely")
    trial_ends_on: date


class AdminTokenRotated(BaseModel):
    account_id: str
    admin_token: str = Field(description="shown once; store it safely. The token that asked is revoked")


class CancellationView(BaseModel):
    received_on: date
    effective_on: date
    channel: str


class UserView(BaseModel):
    id: str
    email: str
    name: str
    role: str
    active: bool


class AccountView(BaseModel):
    id: str
    state: AccountState
    company_name: str
    organization_type: str
    country: str
    vat_id: str | None
    language: str
    edition: str | None
    trial_ends_on: date | None
    paid_from: date | None
    cancellation: CancellationView | None
    users: list[UserView]


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    error: ErrorDetail


def _known_edition(value: str) -> str:
    editions = get_policy().billing.editions
    if value not in editions:
        raise ValueError(f"unknown edition; choose one of {', '.join(editions)}")
    return value


class SubscriptionRequest(_Request):
    edition: str = Field(min_length=1, max_length=40)

    @field_validator("edition")
    @classmethod
    def _edition_offered(cls, value: str) -> str:
        return _known_edition(value)


class SubscriptionResult(BaseModel):
    state: str
    edition: str
    effective_at: str = Field(description="when the edition takes effect (ISO 8601)")
    paid_from: date | None


class UserRequest(_Request):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)


class ExportDocument(BaseModel):
    account: AccountView
    exported_at: str
    items: list[dict[str, object]]


class StaffCancellationRequest(_Request):
    received_on: date = Field(description="the day the letter, fax or e-mail arrived (ISO date)")
    channel: Literal["letter", "fax", "email"]


class CancellationAnswer(BaseModel):
    status: Literal["recorded", "pending", "withdrawn", "not_needed"]
    message: str
    received_on: date | None = None
    effective_on: date | None = None
    channel: str | None = None


class MonthDeadlineView(BaseModel):
    month: str = Field(description="YYYY-MM")
    last_day_of_receipt: date


class DeadlineTable(BaseModel):
    year: int
    months: list[MonthDeadlineView]


class InvoiceLineView(BaseModel):
    description: str
    quantity: str
    unit_price: str
    amount: str


class InvoiceView(BaseModel):
    number: str
    month: str
    issued_on: date
    lines: list[InvoiceLineView]
    net: str
    vat_rate: str
    vat: str
    total: str
    currency: str


class InvoiceList(BaseModel):
    invoices: list[InvoiceView]


class InvoicePreview(BaseModel):
    month: str
    lines: list[InvoiceLineView]
    net: str
    vat_rate: str
    vat: str
    total: str
    currency: str


class AppSubscriptionView(BaseModel):
    app_id: str
    subscribed_at: str
    cancelled_effective_at: str | None


class TicketRequest(_Request):
    email: EmailStr | None = Field(
        default=None, description="the requester (web form); the app's token names the account"
    )
    subject: str = Field(default="", max_length=300)
    description: str = Field(min_length=1, max_length=50_000, description="what is not working")
    impact: Literal["unusable", "severe", "moderate", "minimal"] | None = None
    steps: str = Field(default="", max_length=20_000)
    since: str = Field(default="", max_length=200)
    others_affected: bool | None = None
    version: str = Field(default="", max_length=100)
    technical_contact: str = Field(default="", max_length=300)

    @field_validator("impact", "email", "others_affected", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("description", "steps")
    @classmethod
    def _fits_one_item(cls, value: str, info: ValidationInfo) -> str:
        """The ticket keeps these as JSON (non-ASCII escaped, up to 12 bytes a character) in one
        DynamoDB item of at most 400 KB: limited by stored size, not only by characters."""
        import json

        limit = _STORED_TEXT_BYTES[str(info.field_name)]
        if len(json.dumps(value)) > limit:
            raise ValueError(f"too long: at most {limit:,} bytes as stored (fewer characters outside ASCII)")
        return value


# Stored (JSON-escaped) bytes per long ticket field: with the short fields, a ticket stays well under 400 KB.
_STORED_TEXT_BYTES = {"description": 200_000, "steps": 100_000}


class TicketMessageRequest(_Request):
    text: str = Field(min_length=1, max_length=50_000)


class TicketMessageView(BaseModel):
    kind: str
    author: str
    text: str
    created_at: str
    attachments: list[dict[str, object]]


class TicketView(BaseModel):
    number: str
    subject: str
    state: str
    priority: str
    region: str
    received_at: str = Field(description="ISO 8601 with UTC offset")
    first_response_due: str = Field(description="ISO 8601 with UTC offset, in the region's zone")
    messages: list[TicketMessageView]


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
    email: EmailStr = Field(description="the address that may be mailed again")


class SuppressionLifted(BaseModel):
    email: str
    lifted: bool


class SuppressionShowRequest(_Request):
    email: EmailStr = Field(description="the address to look up (in the body: addresses stay out of URLs and logs)")


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


class StaffTicketRequest(TicketRequest):
    email: EmailStr = Field(description="the customer contact the request is recorded for")


class TextRequest(_Request):
    text: str = Field(min_length=1, max_length=50_000)


class PriorityRequest(_Request):
    priority: Literal["urgent", "high", "normal", "low"]


class StateRequest(_Request):
    state: Literal["assigned", "in_progress", "waiting_for_customer", "solved", "closed"]


class AssignRequest(_Request):
    staff_id: str | None = Field(default=None, description="default: the calling staff member")


class TimeRequest(_Request):
    hours: Decimal = Field(gt=0, le=24, decimal_places=2)
    description: str = Field(min_length=1, max_length=500)

    @field_validator("hours", mode="before")
    @classmethod
    def _ascii_digits(cls, value: object) -> object:
        # Decimal("١.٥") is 1.5: hours are written with 0-9 only, like every number we read.
        if isinstance(value, str) and not value.isascii():
            raise ValueError("write the hours with the digits 0-9, e.g. 1.5")
        return value


class DevelopmentRequest(_Request):
    kind: Literal["bug", "feature"]
    reference: str | None = Field(default=None, max_length=100)


class ReportDecision(_Request):
    decision: Literal["approve", "dispute"]
    comment: str | None = Field(default=None, max_length=2000)


class AuthorizerRequest(_Request):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200)


class StaffTicketView(TicketView):
    account_id: str
    assignee: str | None
    escalated: bool
    enhancement: bool
    development_ticket: str | None
    needs_authorization: bool
    authorized: bool


class QueueView(BaseModel):
    tickets: list[StaffTicketView]


class ServiceReportView(BaseModel):
    id: str
    ticket: str
    hours: str
    entries: list[dict[str, object]]
    state: str


class BillingWorkItem(BaseModel):
    """One account to bill, as the nightly dispatcher puts it into the billing queue (SQS message body).

    `now` is the dispatcher's moment, so every consumer bills the same night (the same ended months and
    issue date) however late SQS delivers the message.
    """

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=r"^acc_[0-9a-z]{1,64}$")
    now: AwareDatetime
