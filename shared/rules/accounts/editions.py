"""Which edition an account has at a moment (SPEC §4): a downgrade waits for the 1st of the next month."""

from __future__ import annotations

from datetime import datetime


def current_edition(
    edition: str | None, pending_edition: str | None, pending_from: datetime | None, now: datetime | None
) -> str | None:
    """From the pending edition's first moment on, it is the edition."""
    if pending_edition and pending_from and now and pending_from <= now:
        return pending_edition
    return edition
