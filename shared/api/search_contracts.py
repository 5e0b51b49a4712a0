"""The staff JSON route of the account search (for scripts): its request and answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AccountSearchRequest(BaseModel):
    # A POST: e-mail addresses stay out of URLs and access logs.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    query: str = Field(
        min_length=1,
        max_length=200,
        description="a company name prefix, an admin or user e-mail, a VAT ID, a ticket or an invoice number",
    )


class AccountHit(BaseModel):
    id: str
    company_name: str
    state: str
    country: str
    edition: str | None


class AccountSearchAnswer(BaseModel):
    kind: Literal["email", "ticket", "invoice", "vat", "name"]
    accounts: list[AccountHit]
