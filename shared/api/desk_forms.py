"""The desk's forms as pydantic models (form-encoded posts; the CSRF field is read by the middleware)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.contracts.email_address import EmailAddress
from shared.rules.accounts.states import StaffRole


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class SignInForm(_Form):
    email: EmailAddress


class SignInConfirmForm(_Form):
    token: str = Field(min_length=10, max_length=200)


class SecondFactorForm(_Form):
    code: str = Field(pattern=r"^[0-9]{6}$")


class CsrfOnlyForm(_Form):
    csrf_token: str = Field(min_length=1, max_length=200)


class AddStaffForm(CsrfOnlyForm):
    name: str = Field(min_length=1, max_length=200)
    email: EmailAddress
    role: StaffRole


class StaffRoleForm(CsrfOnlyForm):
    role: StaffRole


class AccountSearchForm(CsrfOnlyForm):
    query: str = Field(min_length=1, max_length=200)


class LiftSuppressionForm(CsrfOnlyForm):
    email: EmailAddress


class RecordCancellationForm(CsrfOnlyForm):
    received_on: date
    channel: Literal["letter", "fax", "email"]


class ReactivateForm(CsrfOnlyForm):
    edition: str = Field(min_length=1, max_length=40)

    @field_validator("edition")
    @classmethod
    def _edition_offered(cls, value: str) -> str:
        from shared.contracts import SubscriptionRequest

        return SubscriptionRequest(edition=value).edition
