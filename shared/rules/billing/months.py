"""The company calendar month, the unit an invoice covers, and the months an account owes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.rules import clock

COMPANY_TIME_ZONE = "Europe/Berlin"


def require_aware(moment: datetime, what: str) -> None:
    """Reject naive datetimes: a naive time stamp cannot be placed in a Berlin month unambiguously."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a time-zone aware datetime, got {moment!r}")


def start_of_day(day: date, zone: str = COMPANY_TIME_ZONE) -> datetime:
    """The first instant of ``day`` in the named zone (shared.rules.clock's rule, by zone name)."""
    return clock.start_of_day(day, ZoneInfo(zone))


@dataclass(frozen=True, order=True)
class BillingMonth:
    """A calendar month of the company calendar: the unit an invoice covers."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")
        if not 1 <= self.year <= 9998:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def of(cls, day: date) -> BillingMonth:
        """The month a calendar day belongs to."""
        return cls(day.year, day.month)

    @classmethod
    def containing(cls, moment: datetime, zone: str = COMPANY_TIME_ZONE) -> BillingMonth:
        """The company month an instant falls in (23:30 UTC on 31 March is already April in Berlin)."""
        require_aware(moment, "moment")
        return cls.of(moment.astimezone(ZoneInfo(zone)).date())

    @classmethod
    def parse(cls, text: str) -> BillingMonth:
        """Read the ``YYYY-MM`` form used in the HTTP contract."""
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if not match:
            raise ValueError(f"month must look like YYYY-MM, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def days(self) -> int:
        """Number of days in the month (the denominator of the pro-rata factor)."""
        return self.last_day.day

    def next(self) -> BillingMonth:
        return BillingMonth(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> BillingMonth:
        return BillingMonth(self.year - 1, 12) if self.month == 1 else BillingMonth(self.year, self.month - 1)

    def start(self, zone: str = COMPANY_TIME_ZONE) -> datetime:
        """First instant of the month in the company zone."""
        return start_of_day(self.first_day, zone)

    def end(self, zone: str = COMPANY_TIME_ZONE) -> datetime:
        """First instant of the next month: the month's exclusive end."""
        return self.next().start(zone)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def overlaps(begin: datetime, finish: datetime | None, start: datetime, end: datetime) -> bool:
    """Does [begin, finish) have a moment of positive length inside [start, end)?"""
    if finish is not None and finish <= begin:
        return False
    return begin < end and (finish is None or finish > start)


def billable_months(paid_from: date, today: date, billing_ends_on: date | None = None) -> list[BillingMonth]:
    """Every ended calendar month that paid service touched, oldest first.

    From ``paid_from``'s month up to the last month that ended before ``today`` (a company-zone
    date), and not after the month of ``billing_ends_on`` (the last paid day: cancellation or
    deactivation). The nightly job compares this with the invoices already issued and creates
    only the missing ones.
    """
    first = BillingMonth.of(paid_from)
    last = BillingMonth.of(today).previous()
    if billing_ends_on is not None:
        if billing_ends_on < paid_from:
            return []
        last = min(last, BillingMonth.of(billing_ends_on))
    months: list[BillingMonth] = []
    month = first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


def months_to_bill(due: list[BillingMonth], billed_month_keys: set[str]) -> list[BillingMonth]:
    """What should be billed minus what was billed, oldest first (a month is known by its key, "YYYY-MM")."""
    return [month for month in due if month_key(month) not in billed_month_keys]


def month_key(month: BillingMonth) -> str:
    """The month's key wherever a month is stored or named ("2026-03"): the invoice key, the hours' month."""
    return str(month)
