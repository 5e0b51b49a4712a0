"""The customer pages' forms as pydantic models (form-encoded posts; the CSRF field is read by the middleware)."""

from __future__ import annotations

from pydantic import Field

from shared.api.desk_forms import CsrfOnlyForm
from shared.api.desk_forms import SignInConfirmForm as SignInConfirmForm  # the same link, another scope
from shared.api.desk_forms import SignInForm as SignInForm


class TicketReplyForm(CsrfOnlyForm):
    text: str = Field(min_length=1, max_length=50_000)  # as the API's TicketMessageRequest
