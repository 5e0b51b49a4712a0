"""The map attributes nested in items (a recorded cancellation, one SES event of a mail's fate)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, UnicodeAttribute


class CancellationRecord(MapAttribute[str, Any]):
    received_on = UnicodeAttribute()
    effective_on = UnicodeAttribute()
    channel = UnicodeAttribute()
    recorded_at = UnicodeAttribute()



class FateEntry(MapAttribute[str, Any]):
    """One SES event in a mail's history."""

    kind = UnicodeAttribute()  # send, delivery, bounce, complaint, reject, delivery_delay, rendering_failure
    at = UnicodeAttribute()  # ISO 8601 UTC, the event's own moment
    detail = UnicodeAttribute(null=True)  # e.g. "Permanent/General", "abuse"
