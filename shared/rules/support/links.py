"""Links that decide something (service reports, authorizations): how long they stay valid. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta


def decision_link_expiry(now: datetime, valid_days: int) -> datetime:
    """A decision link mailed `now` is valid for the policy's `support.decision_link_days`."""
    return now + timedelta(days=valid_days)
