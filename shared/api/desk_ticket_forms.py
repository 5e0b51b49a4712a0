"""The forms of the desk's agent pages as pydantic models (form-encoded posts; CSRF read by the middleware)."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

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
