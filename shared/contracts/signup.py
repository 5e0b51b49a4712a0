"""The HTTP contract (SPEC §9): signup and verification."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator

from shared.contracts.base import BaseModel, _Request
from shared.contracts.email_address import EmailAddress
from shared.policy import get_policy
from shared.rules.accounts.states import OrganizationType
from shared.rules.country_codes import known_country_code


class SignupRequest(_Request):
    company_name: str = Field(min_length=1, max_length=200)
    organization_type: OrganizationType
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2")
    vat_id: str | None = Field(default=None, max_length=40)
    admin_name: str = Field(min_length=1, max_length=200)
    admin_email: EmailAddress
    language: str = Field(min_length=2, max_length=2)
    accept_dpa: bool
    website: str | None = Field(default=None, description="spam trap: must be empty")
    street: str | None = Field(default=None, max_length=200, description="billing address (for invoices)")
    postcode: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    billing_email: EmailAddress | None = Field(default=None, description="where invoices go (default: the admin)")

    @field_validator("billing_email", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        return known_country_code(value)

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
