"""Moments and days. Rules never read the clock: "now" is passed in by the edge."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def utc_iso(moment: datetime) -> str:
    """Sort keys of the due index: UTC ISO 8601 strings sort by time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day of a moment in the company's zone ("a day" is a Berlin day)."""
    return moment.astimezone(zone).date()


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
