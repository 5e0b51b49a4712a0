"""The form of a staff member's own desk settings (issue 15 item 7): the UI language."""

from __future__ import annotations

from pydantic import Field

from shared.api.desk_forms import CsrfOnlyForm


class DeskLanguageForm(CsrfOnlyForm):
    # The shape only; which languages the desk offers is the policy's, checked by the service.
    language: str = Field(min_length=2, max_length=3, pattern=r"^[a-z]{2,3}$")
