"""The request models of the payment routes (issue 18): pydantic, each error naming its field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class PaymentRequest(_Request):
    """A payment a clerk books by hand: the amount in the invoice's currency, a note (e.g. cheque number)."""

    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2, allow_inf_nan=False)
    note: str | None = Field(default=None, max_length=200)


class WriteOffRequest(_Request):
    reason: str = Field(min_length=1, max_length=200)


class CreditAssignment(_Request):
    """Which invoice an unmatched credit pays."""

    statement_id: str = Field(min_length=1, max_length=140)
    entry: str = Field(min_length=1, max_length=140)
    number: str = Field(pattern=r"^\d{4}-\d{6}$")


class MandateRequest(_Request):
    """A SEPA B2B direct debit mandate the account signed: its bank account, reference and signature day."""

    iban: str = Field(min_length=15, max_length=42)
    bic: str = Field(min_length=8, max_length=11)
    reference: str = Field(min_length=1, max_length=35)
    signed_on: date


class CollectionRequest(_Request):
    """The collection (due) day of the pain.008 file to produce."""

    collection_on: date
