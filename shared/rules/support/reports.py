"""Service reports (SPEC §6): the hours of a solved ticket for the customer to approve, and what approval bills."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.rules.support.opening import TicketMailOrder


@dataclass(frozen=True)
class LoggedTime:
    """One time entry as the report shows it."""

    hours: str
    description: str
    logged_at: datetime


@dataclass(frozen=True)
class ReportDraft:
    """A report decided by the service: storage writes it and its mail with the state change that solves."""

    report_id: str
    link_id: str
    hours: Decimal
    entries: tuple[Mapping[str, Any], ...]
    mail: TicketMailOrder


def report_id_for(number: str, now: datetime) -> str:
    return f"rep_{number}_{now.strftime('%Y%m%d%H%M%S')}"


def report_entries(logged: Sequence[LoggedTime]) -> tuple[Mapping[str, Any], ...]:
    return tuple(
        {"hours": e.hours, "description": e.description, "logged_at": e.logged_at.isoformat()} for e in logged
    )


def total_hours(logged: Sequence[LoggedTime]) -> Decimal:
    return sum((Decimal(e.hours) for e in logged), Decimal(0))


def hours_are_billable(account_setting: bool | None, billable_by_default: bool) -> bool:
    """The account's support contract decides; without a setting, the policy's default does."""
    return billable_by_default if account_setting is None else account_setting
