"""The billing address and buyer reference contracts (issue 17), beside the shared contract module."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from shared.contracts import _Request
from shared.rules.country_codes import known_country_code


class BillingAddressRequest(_Request):
    """The billing address and buyer reference (issue 17): every part of the address is required."""

    street: str = Field(min_length=1, max_length=200)
    postcode: str = Field(min_length=1, max_length=20)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2")
    buyer_reference: str | None = Field(
        default=None,
        max_length=100,
        description="printed on invoices as BT-10: a public institution's Leitweg-ID, or any order number",
    )

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        return known_country_code(value)

    @field_validator("buyer_reference")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and not value.isprintable():
            raise ValueError("must be printable text")
        return value or None


class BillingAddressView(BaseModel):
    street: str
    postcode: str
    city: str
    country: str
    buyer_reference: str | None
