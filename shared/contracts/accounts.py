"""The HTTP contract (SPEC §9): an account, its users, subscription, export and cancellation."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from shared.contracts.base import BaseModel, _Request
from shared.contracts.email_address import EmailAddress
from shared.policy import get_policy
from shared.rules.accounts.states import AccountState


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
    email: EmailAddress
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
