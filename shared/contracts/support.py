"""The HTTP contract (SPEC §9): tickets: requests, messages, the staff's actions, queues and service reports."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from shared.contracts.base import BaseModel, _Request
from shared.contracts.email_address import EmailAddress


class TicketRequest(_Request):
    email: EmailAddress | None = Field(
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


class StaffTicketRequest(TicketRequest):
    email: EmailAddress = Field(description="the customer contact the request is recorded for")


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
    email: EmailAddress
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
