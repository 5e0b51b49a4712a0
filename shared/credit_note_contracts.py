"""The HTTP contract of credit notes (issue 17): the staff request and the answer, as pydantic models.

Beside shared/contracts.py rather than in it, so the credit-note routes and the other lanes' contract
changes merge without touching each other. Imported lazily, like shared/contracts.py.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.contracts import InvoiceView


class CreditLineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line: int = Field(ge=1, le=10_000, description="the line's position on the invoice, 1-based (BT-126)")
    amount: Decimal | None = Field(
        default=None,
        gt=0,
        max_digits=12,
        decimal_places=2,
        allow_inf_nan=False,
        description='net amount to credit, e.g. "10.00"; absent: all that is left of the line',
    )


class CreditNoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, description="why the invoice is corrected")
    lines: list[CreditLineRequest] | None = Field(
        default=None, min_length=1, max_length=500, description="absent: credit all that is left of the invoice"
    )

    @field_validator("lines")
    @classmethod
    def _each_line_once(cls, lines: list[CreditLineRequest] | None) -> list[CreditLineRequest] | None:
        if lines is not None and len({item.line for item in lines}) != len(lines):
            raise ValueError("name each line once")
        return lines


class CreditNoteView(InvoiceView):
    document_type: str = Field(description='"credit_note"')
    corrects: dict[str, str | None] = Field(description="the invoice it corrects: number and issued_on")
