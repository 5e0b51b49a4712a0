"""The HTTP contract (SPEC §9): invoices, the month's preview, add-on apps and the billing work list."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, ConfigDict, Field

from shared.contracts.base import BaseModel


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


class BillingWorkItem(BaseModel):
    """One account to bill, as the nightly dispatcher puts it into the billing queue (SQS message body).

    `now` is the dispatcher's moment, so every consumer bills the same night (the same ended months and
    issue date) however late SQS delivers the message.
    """

    model_config = ConfigDict(extra="forbid")

    account_id: str = Field(pattern=r"^acc_[0-9a-z]{1,64}$")
    now: AwareDatetime
