"""The forms of the desk's agent pages as pydantic models (form-encoded posts; CSRF read by the middleware)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.api.desk_forms import CsrfOnlyForm
from shared.contracts import (
    AssignRequest,
    DevelopmentRequest,
    PriorityRequest,
    StateRequest,
    TextRequest,
    TimeRequest,
)


class NotificationsForm(CsrfOnlyForm):
    mails: Literal["on", "off"]


class DeskTextForm(CsrfOnlyForm, TextRequest):
    """A reply or an internal note: the JSON route's text, with the form's CSRF token."""


class DeskAssignForm(CsrfOnlyForm, AssignRequest):
    pass


class DeskPriorityForm(CsrfOnlyForm, PriorityRequest):
    pass


class DeskStateForm(CsrfOnlyForm, StateRequest):
    pass


class DeskTimeForm(CsrfOnlyForm, TimeRequest):
    pass


class DeskDevelopmentForm(CsrfOnlyForm, DevelopmentRequest):
    @field_validator("reference", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # An empty field of the form means "name it after the ticket", as the JSON route's missing field.
        return value or None


class DeskReplyForm(DeskTextForm):
    @field_validator("text")
    @classmethod
    def _no_placeholder_left(cls, value: str) -> str:
        # A canned reply's placeholder never reaches the customer as "{contact_name}".
        from shared.rules.support.canned import unfilled_placeholders

        left = unfilled_placeholders(value)
        if left:
            raise ValueError(f"fill in {{{left[0]}}} before sending")
        return value


class CannedReplyForm(CsrfOnlyForm):
    language: str = Field(min_length=2, max_length=10)
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=50_000)


class TicketMergeRequest(BaseModel):
    """Merge this ticket into another ticket of the same account (JSON staff route)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    into: str = Field(pattern=r"^[0-9]{8,20}$", description="the number of the ticket to merge into")


class DeskMergeForm(CsrfOnlyForm, TicketMergeRequest):
    pass
