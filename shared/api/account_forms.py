"""The customer pages' forms as pydantic models (form-encoded posts; the CSRF field is read by the middleware).

The subscription page's forms are the JSON API's contracts plus the CSRF field, so a page post is
validated exactly as the API's body is.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.address_contracts import BillingAddressRequest
from shared.api.desk_forms import CsrfOnlyForm
from shared.api.desk_forms import SignInConfirmForm as SignInConfirmForm  # the same link, another scope
from shared.api.desk_forms import SignInForm as SignInForm
from shared.contracts import AuthorizerRequest, SubscriptionRequest, TicketRequest, UserRequest
from shared.contracts.email_address import EmailAddress


class TicketReplyForm(CsrfOnlyForm):
    text: str = Field(min_length=1, max_length=50_000)  # as the API's TicketMessageRequest


class BecomeCustomerForm(CsrfOnlyForm, SubscriptionRequest, BillingAddressRequest):
    """The edition and the billing address together: §14 UStG needs the buyer's address on every invoice."""


class EditionForm(CsrfOnlyForm, SubscriptionRequest):
    """The edition to preview; the confirmation also carries the day the preview showed."""


class EditionConfirmForm(EditionForm):
    applies_on: date


class AddUserForm(CsrfOnlyForm, UserRequest):
    pass


class CancelConfirmForm(CsrfOnlyForm):
    effective_on: date  # the day the preview showed: refused if today's receipt gives another


class AuthorizerForm(CsrfOnlyForm, AuthorizerRequest):
    pass


class NewRequestForm(CsrfOnlyForm, TicketRequest):
    """The fields the support policy asks for (the API's contract); the requester is the signed-in contact."""


class RatingForm(CsrfOnlyForm):
    rating: Literal["good", "bad"]
    comment: str = Field(default="", max_length=2_000)


class SupportLinkRequest(BaseModel):
    """The app asks for the account pages' deep link of one contact (the admin when no address is given)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    email: EmailAddress | None = None


class RatingLinkForm(BaseModel):
    """The solved mail's rating confirm page: the link's verdict preselected (the reader may change it), a comment.

    No CSRF field: the signed link in the URL is the authority, and it decides once.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    verdict: Literal["good", "bad"] | None = None
    comment: str = Field(default="", max_length=2_000)


class LanguageForm(CsrfOnlyForm):
    """A contact's choice of language for every page and their mails (one of the policy's languages)."""

    language: str = Field(min_length=2, max_length=10)
