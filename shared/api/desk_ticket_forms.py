"""The forms of the desk's agent pages as pydantic models (form-encoded posts; CSRF read by the middleware)."""

from __future__ import annotations

from typing import Literal

from shared.api.desk_forms import CsrfOnlyForm


class NotificationsForm(CsrfOnlyForm):
    mails: Literal["on", "off"]
