"""Pure billing rules: what an account owes for a calendar month, and the documents that say so.

Nothing here touches AWS, a database or the clock: "today" and "now" are parameters, so the
nightly job, the invoice preview and the tests all get the same answer for the same history.

Conventions (SPEC §1, §3, §4):

* Money is ``Decimal``. Every line amount is rounded ROUND_HALF_UP to the cent on its own;
  the net is the sum of the rounded lines and the VAT is computed once on that net (which
  is what EN 16931 expects: BT-117 = BT-116 × BT-119 / 100, rounded).
* A "month" is a calendar month in the company time zone (Europe/Berlin by default): it
  starts at 00:00 local time on the 1st and ends, exclusively, at 00:00 on the 1st of the
  next month. Every history time stamp is an aware ``datetime`` and is compared as an
  instant, so events recorded in UTC fall into the right Berlin month.
* Something "held at any moment" of a period means: held during an interval of positive
  length that overlaps the period. A user activated and deactivated at the same instant
  was never active.
* An issued invoice never changes; a correction is a credit note that references it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple, cast
from zoneinfo import ZoneInfo

from shared.rules import clock

COMPANY_TIME_ZONE = "Europe/Berlin"
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

#: UN/ECE Recommendation 20 unit codes used on invoice lines (EN 16931 BT-130).
UNIT_PIECE = "C62"  # "one": a seat, a monthly app subscription
UNIT_HOUR = "HUR"

DEFAULT_OUTSIDE_EU_NOTE = (
    "Nicht im Inland steuerbare Leistung (§ 3a Abs. 2 UStG) / not taxable in Germany: place of supply outside the EU"
)

VatTreatment = Literal["domestic", "reverse_charge", "eu_without_vat_id", "outside_eu"]
LineKind = Literal["seats", "app", "support"]
DocumentType = Literal["invoice", "credit_note"]

_INVOICE_NUMBER = re.compile(r"^(\d{4})-(\d{6})$")


class BillingError(ValueError):
    """The history cannot be billed as asked (no edition, month outside the paid period, unknown price).

    A ``ValueError`` so that callers that map bad input to 4xx answers need no special case.
    """


# --------------------------------------------------------------------------- money and time


def round_cents(amount: Decimal) -> Decimal:
    """Round to the cent, half up (0.005 → 0.01), the way German invoices are expected to round."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _require_aware(moment: datetime, what: str) -> None:
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
        _require_aware(moment, "moment")
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


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class SeatEvent:
    """The admin activated or deactivated a user; seats are counted from these facts alone."""

    user_id: str
    user_name: str
    activated: bool
    at: datetime

    def __post_init__(self) -> None:
        _require_aware(self.at, "SeatEvent.at")


@dataclass(frozen=True)
class EditionChange:
    """From ``effective_at`` on, the account holds ``edition`` (until the next change)."""

    edition: str
    effective_at: datetime

    def __post_init__(self) -> None:
        _require_aware(self.effective_at, "EditionChange.effective_at")


@dataclass(frozen=True)
class AppSubscription:
    """An add-on app subscribed at ``subscribed_at``; usable until ``cancelled_effective_at`` (exclusive)."""

    app_id: str
    subscribed_at: datetime
    cancelled_effective_at: datetime | None = None

    def __post_init__(self) -> None:
        _require_aware(self.subscribed_at, "AppSubscription.subscribed_at")
        if self.cancelled_effective_at is not None:
            _require_aware(self.cancelled_effective_at, "AppSubscription.cancelled_effective_at")
            if self.cancelled_effective_at < self.subscribed_at:
                raise ValueError("an app cannot be cancelled before it was subscribed")


@dataclass(frozen=True)
class BillableHours:
    """Approved, billable support hours (SPEC §6) to be billed on the invoice for ``month``.

    The caller decides the month (the month in which the customer approved the service report),
    so the hours appear on the next invoice the nightly job issues.
    """

    month: BillingMonth
    hours: Decimal
    description: str

    def __post_init__(self) -> None:
        if not isinstance(self.hours, Decimal) or not self.hours.is_finite() or self.hours < 0:
            raise ValueError(f"hours must be a non-negative Decimal, got {self.hours!r}")


@dataclass(frozen=True)
class BillingHistory:
    """Everything that happened to an account that can cost money: the only source of invoice lines."""

    seat_events: Sequence[SeatEvent] = ()
    edition_changes: Sequence[EditionChange] = ()
    app_subscriptions: Sequence[AppSubscription] = ()
    billable_hours: Sequence[BillableHours] = ()


@dataclass(frozen=True)
class Party:
    """Name, address and VAT ID of the seller or the buyer, as §14 UStG wants them on the invoice."""

    name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class BillingAccount:
    """The account data billing needs: who is billed, where, and from/until when."""

    account_id: str
    buyer_name: str
    street: str
    postcode: str
    city: str
    country: str
    vat_id: str | None
    paid_from: date
    billing_ends_on: date | None = None
    language: str = "en"

    def as_buyer(self) -> Party:
        return Party(
            name=self.buyer_name,
            street=self.street,
            postcode=self.postcode,
            city=self.city,
            country=self.country.upper(),
            vat_id=self.vat_id or None,
        )


# --------------------------------------------------------------------------- terms (from the policy)


@dataclass(frozen=True)
class EditionTerms:
    """One edition: monthly price per user and its rank (a higher rank is an upgrade)."""

    name: str
    price_per_user: Decimal
    rank: int
    label: str


@dataclass(frozen=True)
class AppTerms:
    """One add-on app of the app store with its monthly price."""

    app_id: str
    name: str
    monthly_price: Decimal


@dataclass(frozen=True)
class VatTerms:
    """VAT rules of the policy: home country and rate, the EU member states, the mandatory notes."""

    home_country: str
    home_rate: Decimal
    eu_countries: frozenset[str]
    reverse_charge_note: str
    outside_eu_note: str = DEFAULT_OUTSIDE_EU_NOTE


@dataclass(frozen=True)
class BillingTerms:
    """The policy values billing depends on; built once from ``shared/policy.toml``."""

    seller: Party
    currency: str
    payment_terms_days: int
    editions: Mapping[str, EditionTerms]
    apps: Mapping[str, AppTerms]
    vat: VatTerms
    support_hourly_rate: Decimal
    time_zone: str = COMPANY_TIME_ZONE

    @property
    def edition_ranks(self) -> dict[str, int]:
        return {name: terms.rank for name, terms in self.editions.items()}


def _decimal(value: Any, key: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{key}: not a decimal number: {value!r}") from exc
    if not result.is_finite() or result < 0:
        raise ValueError(f"{key}: must be a non-negative number, got {value!r}")
    return result


def billing_terms_from_policy(policy: Mapping[str, Any]) -> BillingTerms:
    """Build :class:`BillingTerms` from the parsed policy TOML (the whole document).

    Raises ``ValueError``/``KeyError`` naming the key when a value is missing or malformed.
    """
    billing = policy["billing"]
    seller = policy["seller"]
    vat = billing["vat"]
    editions = {
        name: EditionTerms(
            name=name,
            price_per_user=_decimal(spec["monthly_price_per_user"], f"billing.editions.{name}"),
            rank=int(spec["rank"]),
            label=str(spec.get("label", name.capitalize())),
        )
        for name, spec in billing["editions"].items()
    }
    apps = {
        app_id: AppTerms(
            app_id=app_id,
            name=str(spec["name"]),
            monthly_price=_decimal(spec["monthly_price"], f"billing.apps.{app_id}"),
        )
        for app_id, spec in billing.get("apps", {}).items()
    }
    return BillingTerms(
        seller=Party(
            name=str(seller["name"]),
            street=str(seller["street"]),
            postcode=str(seller["postcode"]),
            city=str(seller["city"]),
            country=str(seller["country"]).upper(),
            vat_id=str(seller["vat_id"]),
            email=seller.get("email"),
        ),
        currency=str(billing["currency"]),
        payment_terms_days=int(billing["payment_terms_days"]),
        editions=editions,
        apps=apps,
        vat=VatTerms(
            home_country=str(vat["home_country"]).upper(),
            home_rate=_decimal(vat["home_rate"], "billing.vat.home_rate"),
            eu_countries=frozenset(str(c).upper() for c in vat["eu_countries"]),
            reverse_charge_note=str(vat["reverse_charge_note"]),
            outside_eu_note=str(vat.get("outside_eu_note", DEFAULT_OUTSIDE_EU_NOTE)),
        ),
        support_hourly_rate=_decimal(billing["support"]["hourly_rate"], "billing.support.hourly_rate"),
        time_zone=str(policy.get("company_time_zone", COMPANY_TIME_ZONE)),
    )


# --------------------------------------------------------------------------- trial → paid


def paid_from_for_conversion(trial_last_day: date, converted_on: date) -> date:
    """First paid day (SPEC §2): converting during the trial keeps the free days, so paid service
    starts the day after the trial's last day; a conversion after the trial (staff reactivation)
    starts paid service on the day of conversion."""
    if converted_on <= trial_last_day:
        return trial_last_day + timedelta(days=1)
    return converted_on


# --------------------------------------------------------------------------- seats


class CountedUser(NamedTuple):
    """A user billed for a month: the id and the name shown on the invoice line."""

    user_id: str
    name: str


@dataclass
class _UserActivity:
    name: str
    intervals: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    active_since: datetime | None = None


def _seat_activity(seat_events: Iterable[SeatEvent], until: datetime | None = None) -> dict[str, _UserActivity]:
    """Replay the seat events per user into active intervals [activated, deactivated).

    Ties at the same instant keep their input order. A repeated activation of an active user
    (or deactivation of an inactive one) changes nothing: re-activating a user is the same seat.
    The name is the last one recorded before ``until`` (the end of the counted period).
    """
    users: dict[str, _UserActivity] = {}
    for event in sorted(seat_events, key=lambda e: e.at):
        activity = users.setdefault(event.user_id, _UserActivity(name=event.user_name))
        if until is None or event.at < until:
            activity.name = event.user_name
        if event.activated and activity.active_since is None:
            activity.active_since = event.at
        elif not event.activated and activity.active_since is not None:
            activity.intervals.append((activity.active_since, event.at))
            activity.active_since = None
    for activity in users.values():
        if activity.active_since is not None:
            activity.intervals.append((activity.active_since, None))
            activity.active_since = None
    return users


def _overlaps(begin: datetime, finish: datetime | None, start: datetime, end: datetime) -> bool:
    """Does [begin, finish) have a moment of positive length inside [start, end)?"""
    if finish is not None and finish <= begin:
        return False
    return begin < end and (finish is None or finish > start)


def users_counted_between(seat_events: Iterable[SeatEvent], start: datetime, end: datetime) -> list[CountedUser]:
    """Users active at any moment of [start, end), sorted by name (then id) for a stable invoice text."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    counted = [
        CountedUser(user_id, activity.name)
        for user_id, activity in _seat_activity(seat_events, until=end).items()
        if any(_overlaps(a, d, start, end) for a, d in activity.intervals)
    ]
    return sorted(counted, key=lambda u: (u.name.casefold(), u.user_id))


def users_counted_in_month(
    seat_events: Iterable[SeatEvent], month: BillingMonth, zone: str = COMPANY_TIME_ZONE
) -> list[CountedUser]:
    """A user counts for a month if it was active at any moment of it (SPEC §3).

    A user deactivated on the 3rd and another activated on the 20th are two seats; a user
    deactivated and re-activated within the month is one seat.
    """
    return users_counted_between(seat_events, month.start(zone), month.end(zone))


# --------------------------------------------------------------------------- editions


def edition_change_effective_at(
    current_edition: str | None,
    new_edition: str,
    now: datetime,
    ranks: Mapping[str, int],
    zone: str = COMPANY_TIME_ZONE,
) -> datetime:
    """When a requested edition change takes effect (SPEC §3).

    An upgrade (higher rank), the first choice of an edition and a "change" to the same edition
    take effect at once (``now``); a downgrade only on the first instant of the next month, so
    the running month, already billable at the higher edition, keeps it.
    """
    _require_aware(now, "now")
    if new_edition not in ranks:
        raise BillingError(f"unknown edition {new_edition!r}")
    if current_edition is None:
        return now
    if current_edition not in ranks:
        raise BillingError(f"unknown edition {current_edition!r}")
    if ranks[new_edition] >= ranks[current_edition]:
        return now
    return BillingMonth.containing(now, zone).end(zone)


def _edition_spans(edition_changes: Iterable[EditionChange]) -> list[tuple[str, datetime, datetime | None]]:
    ordered = sorted(edition_changes, key=lambda c: c.effective_at)
    return [
        (change.edition, change.effective_at, ordered[i + 1].effective_at if i + 1 < len(ordered) else None)
        for i, change in enumerate(ordered)
    ]


def editions_held_between(
    edition_changes: Iterable[EditionChange], start: datetime, end: datetime
) -> list[tuple[str, datetime, datetime | None]]:
    """The editions held at some moment of [start, end), each with the span it was held."""
    return [span for span in _edition_spans(edition_changes) if _overlaps(span[1], span[2], start, end)]


def edition_between(
    edition_changes: Iterable[EditionChange], start: datetime, end: datetime, ranks: Mapping[str, int]
) -> str | None:
    """The highest-ranked edition held at any moment of [start, end); ``None`` if none was held."""
    held = editions_held_between(edition_changes, start, end)
    for name, _, _ in held:
        if name not in ranks:
            raise BillingError(f"unknown edition {name!r} in the history")
    if not held:
        return None
    return max(held, key=lambda span: ranks[span[0]])[0]


def edition_for_month(
    edition_changes: Iterable[EditionChange],
    month: BillingMonth,
    ranks: Mapping[str, int],
    zone: str = COMPANY_TIME_ZONE,
) -> str | None:
    """The month is billed at the highest edition held in it: an upgrade on the 20th bills the month."""
    return edition_between(edition_changes, month.start(zone), month.end(zone), ranks)


# --------------------------------------------------------------------------- apps


def apps_subscribed_between(app_subscriptions: Iterable[AppSubscription], start: datetime, end: datetime) -> list[str]:
    """Ids of the apps subscribed at any moment of [start, end), each once, sorted."""
    return sorted(
        {
            sub.app_id
            for sub in app_subscriptions
            if _overlaps(sub.subscribed_at, sub.cancelled_effective_at, start, end)
        }
    )


# --------------------------------------------------------------------------- months to bill


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


# --------------------------------------------------------------------------- VAT


@dataclass(frozen=True)
class VatDecision:
    """Which VAT applies to a buyer, with the EN 16931 category and the note the invoice must carry."""

    treatment: VatTreatment
    rate: Decimal
    category: str  # EN 16931 VAT category code (UNTDID 5305): S, AE, O
    note: str | None
    exemption_reason: str | None
    exemption_code: str | None  # VATEX code (CEF code list)
    explain: str


def vat_decision(country: str, vat_id: str | None, vat: VatTerms) -> VatDecision:
    """Decide the VAT treatment from the buyer's country and VAT ID (all buyers are businesses).

    * home country (DE): German VAT at the home rate;
    * another EU member state with a VAT ID: reverse charge, 0 %, with the mandatory note;
    * another EU member state without a VAT ID: German VAT at the home rate — without the
      buyer's VAT ID the seller cannot show that reverse charge applies, so it charges its own
      VAT (the safe side; Cocoon sells only to businesses, so the OSS consumer rules do not arise);
    * outside the EU: not taxable in Germany (place of supply is the buyer's country), 0 %.
    """
    country = country.upper()
    has_vat_id = bool(vat_id and vat_id.strip())
    if country == vat.home_country:
        return VatDecision(
            treatment="domestic",
            rate=vat.home_rate,
            category="S",
            note=None,
            exemption_reason=None,
            exemption_code=None,
            explain=f"buyer in {country}: German VAT {vat.home_rate} %",
        )
    if country in vat.eu_countries and has_vat_id:
        return VatDecision(
            treatment="reverse_charge",
            rate=Decimal(0),
            category="AE",
            note=vat.reverse_charge_note,
            exemption_reason="Reverse charge",
            exemption_code="VATEX-EU-AE",
            explain=f"business buyer in the EU member state {country} with VAT ID {vat_id}: "
            "reverse charge, the buyer owes the VAT (0 %)",
        )
    if country in vat.eu_countries:
        return VatDecision(
            treatment="eu_without_vat_id",
            rate=vat.home_rate,
            category="S",
            note=None,
            exemption_reason=None,
            exemption_code=None,
            explain=f"buyer in the EU member state {country} without a VAT ID: reverse charge needs "
            f"the buyer's VAT ID, so German VAT {vat.home_rate} % applies",
        )
    return VatDecision(
        treatment="outside_eu",
        rate=Decimal(0),
        category="O",
        note=vat.outside_eu_note,
        exemption_reason="Not subject to VAT",
        exemption_code="VATEX-EU-O",
        explain=f"buyer in {country}, outside the EU: not taxable in Germany (0 %)",
    )


def vat_amount(net: Decimal, rate: Decimal) -> Decimal:
    """VAT on a net amount, rounded half up to the cent (sign follows the net)."""
    return round_cents(net * rate / HUNDRED)


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class InvoiceLine:
    """One billed item: quantity × unit price = amount, and why it is there (``explain``)."""

    kind: LineKind
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    unit_code: str
    explain: str
    item_id: str = ""
    user_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvoiceDraft:
    """What a month costs, fully computed but not yet a numbered document."""

    account_id: str
    month: BillingMonth
    service_period_start: date
    service_period_end: date
    lines: tuple[InvoiceLine, ...]
    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    total: Decimal
    currency: str
    vat_treatment: VatTreatment
    vat_category: str
    vat_exemption_reason: str | None
    vat_exemption_code: str | None
    notes: tuple[str, ...]
    seller: Party
    buyer: Party
    language: str
    explain: tuple[str, ...]
    is_preview: bool = False


def _fmt_moment(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "open"
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _paid_window(account: BillingAccount, month: BillingMonth) -> tuple[date, date]:
    """The paid days of ``month``: from paid_from (first month) to billing_ends_on (last month)."""
    first = max(month.first_day, account.paid_from)
    last = month.last_day
    if account.billing_ends_on is not None:
        last = min(last, account.billing_ends_on)
    if first > last:
        raise BillingError(
            f"{month} is not a paid month of account {account.account_id} "
            f"(paid from {account.paid_from}, billing ends {account.billing_ends_on})"
        )
    return first, last


def _history_until(history: BillingHistory, cutoff: datetime) -> BillingHistory:
    """The history as known at ``cutoff``: what is scheduled for later has not happened yet."""
    return BillingHistory(
        seat_events=[e for e in history.seat_events if e.at < cutoff],
        edition_changes=[c for c in history.edition_changes if c.effective_at < cutoff],
        app_subscriptions=[s for s in history.app_subscriptions if s.subscribed_at < cutoff],
        billable_hours=history.billable_hours,
    )


def _seats_line(
    history: BillingHistory,
    terms: BillingTerms,
    first: date,
    last: date,
    month: BillingMonth,
    start: datetime,
    end: datetime,
) -> tuple[InvoiceLine, str]:
    zone = terms.time_zone
    edition_name = edition_between(history.edition_changes, start, end, terms.edition_ranks)
    if edition_name is None:
        raise BillingError(f"no edition was held between {first} and {last}: nothing to bill seats at")
    edition = terms.editions[edition_name]
    held = editions_held_between(history.edition_changes, start, end)
    edition_explain = (
        f"Edition: {edition.label} is the highest edition held between {first} and {last} ("
        + "; ".join(f"{name} {_fmt_moment(a, zone)} → {_fmt_moment(d, zone)}" for name, a, d in held)
        + f"); {edition.label} costs {edition.price_per_user} {terms.currency} per user and month."
    )

    users = users_counted_between(history.seat_events, start, end)
    activity = _seat_activity(history.seat_events, until=end)
    count = len(users)
    paid_days = (last - first).days + 1
    if paid_days < month.days:
        exact = edition.price_per_user * paid_days / month.days
        unit_price = round_cents(exact)
        price_explain = (
            f"pro rata {paid_days}/{month.days} days ({first} to {last}): "
            f"{edition.price_per_user} × {paid_days} / {month.days} = {exact:.6f} → {unit_price} per user "
            "(rounded half up to the cent)"
        )
        description = f"{_plural(count, 'user')} × {edition.label}, pro rata {paid_days}/{month.days} days"
    else:
        unit_price = edition.price_per_user
        price_explain = f"full month: {unit_price} per user"
        description = f"{_plural(count, 'user')} × {edition.label}"
    names = tuple(u.name for u in users)
    if names:
        description += ": " + ", ".join(names)
    quantity = Decimal(count)
    amount = round_cents(quantity * unit_price)
    per_user = "; ".join(
        f"{u.name} (active "
        + ", ".join(
            f"{_fmt_moment(a, zone)} → {_fmt_moment(d, zone)}"
            for a, d in activity[u.user_id].intervals
            if _overlaps(a, d, start, end)
        )
        + ")"
        for u in users
    )
    explain = (
        f"{_plural(count, 'user')} active at some moment between {first} and {last} ({zone})"
        + (f": {per_user}" if per_user else "")
        + f". {edition.label}, {price_explain}; {count} × {unit_price} = {amount}."
    )
    line = InvoiceLine(
        kind="seats",
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        amount=amount,
        unit_code=UNIT_PIECE,
        explain=explain,
        item_id=edition_name,
        user_names=names,
    )
    return line, edition_explain


def _app_lines(history: BillingHistory, terms: BillingTerms, start: datetime, end: datetime) -> list[InvoiceLine]:
    zone = terms.time_zone
    lines = []
    for app_id in apps_subscribed_between(history.app_subscriptions, start, end):
        if app_id not in terms.apps:
            raise BillingError(f"unknown app {app_id!r} in the history")
        app = terms.apps[app_id]
        spans = "; ".join(
            f"subscribed {_fmt_moment(s.subscribed_at, zone)}, "
            + (
                f"cancelled effective {_fmt_moment(s.cancelled_effective_at, zone)}"
                if s.cancelled_effective_at
                else "not cancelled"
            )
            for s in history.app_subscriptions
            if s.app_id == app_id and _overlaps(s.subscribed_at, s.cancelled_effective_at, start, end)
        )
        lines.append(
            InvoiceLine(
                kind="app",
                description=f"Add-on app {app.name}",
                quantity=Decimal(1),
                unit_price=app.monthly_price,
                amount=round_cents(app.monthly_price),
                unit_code=UNIT_PIECE,
                explain=f"{app.name} was subscribed at some moment of the period ({spans}); "
                f"an app is billed for the full month at {app.monthly_price} {terms.currency}.",
                item_id=app_id,
            )
        )
    return lines


def _support_lines(history: BillingHistory, terms: BillingTerms, month: BillingMonth) -> list[InvoiceLine]:
    rate = terms.support_hourly_rate
    lines = []
    for entry in history.billable_hours:
        if entry.month != month or entry.hours == 0:
            continue
        amount = round_cents(entry.hours * rate)
        lines.append(
            InvoiceLine(
                kind="support",
                description=f"Support: {entry.description}",
                quantity=entry.hours,
                unit_price=rate,
                amount=amount,
                unit_code=UNIT_HOUR,
                explain=f"{entry.hours} approved billable support hours ({entry.description}) "
                f"× {rate} {terms.currency} = {amount}.",
                item_id="support",
            )
        )
    return lines


def _draft(
    account: BillingAccount,
    history: BillingHistory,
    month: BillingMonth,
    terms: BillingTerms,
    *,
    preview: bool,
) -> InvoiceDraft:
    zone = terms.time_zone
    first, last = _paid_window(account, month)
    start, end = start_of_day(first, zone), start_of_day(last + timedelta(days=1), zone)

    seats, edition_explain = _seats_line(history, terms, first, last, month, start, end)
    lines = (seats, *_app_lines(history, terms, start, end), *_support_lines(history, terms, month))
    net = sum((line.amount for line in lines), Decimal("0.00"))
    decision = vat_decision(account.country, account.vat_id, terms.vat)
    vat = vat_amount(net, decision.rate)
    notes = (decision.note,) if decision.note else ()
    explain = (
        f"Service period {first} to {last}: the paid days of {month} "
        f"(paid from {account.paid_from}"
        + (f", billing ends {account.billing_ends_on}" if account.billing_ends_on else "")
        + ").",
        edition_explain,
        f"Net {net} = sum of the {_plural(len(lines), 'line')}, each rounded half up to the cent.",
        f"VAT: {decision.explain}; {net} × {decision.rate} % = {vat}.",
    )
    return InvoiceDraft(
        account_id=account.account_id,
        month=month,
        service_period_start=first,
        service_period_end=last,
        lines=lines,
        net=net,
        vat_rate=decision.rate,
        vat=vat,
        total=net + vat,
        currency=terms.currency,
        vat_treatment=decision.treatment,
        vat_category=decision.category,
        vat_exemption_reason=decision.exemption_reason,
        vat_exemption_code=decision.exemption_code,
        notes=notes,
        seller=terms.seller,
        buyer=account.as_buyer(),
        language=account.language,
        explain=explain,
        is_preview=preview,
    )


def compute_invoice_draft(
    account: BillingAccount, history: BillingHistory, month: BillingMonth, terms: BillingTerms
) -> InvoiceDraft:
    """The invoice for one paid month, computed from the history alone.

    Lines:

    * seats: every user active at any moment of the paid part of the month × the monthly price
      of the highest edition held in it. In a month that is only partly paid (the first month
      starts on ``paid_from``; a deactivation could end one early) the *unit price* is pro rata:
      ``unit_price = round_half_up(price_per_user × paid_days / days_in_month, 0.01)`` and
      ``amount = users × unit_price`` — so quantity × unit price equals the amount exactly, as
      EN 16931 receivers check. Users and editions held only during the free trial part of the
      first month do not count;
    * add-on apps subscribed at any moment of the paid part of the month, at the full monthly
      price (no pro rata for apps);
    * approved billable support hours attributed to ``month``, hours × hourly rate.

    The VAT follows :func:`vat_decision`; ``total = net + vat``.
    """
    return _draft(account, history, month, terms, preview=False)


def month_to_date_preview(
    account: BillingAccount, history: BillingHistory, today: date, terms: BillingTerms
) -> InvoiceDraft:
    """The running month so far, for the invoice-preview endpoint.

    The same computation as the month's invoice, treating the month as if it ended today: only
    what happened up to the end of ``today`` counts (edition changes and subscriptions scheduled
    for later are ignored), and whatever was held so far is priced for the whole month — a seat
    used on one day of a month costs the month, so the preview never understates the bill.
    During the trial it previews the first paid month (``paid_from``'s month) from today's state.
    """
    month = BillingMonth.of(max(today, account.paid_from))
    cutoff = start_of_day(today + timedelta(days=1), terms.time_zone)
    return _draft(account, _history_until(history, cutoff), month, terms, preview=True)


# --------------------------------------------------------------------------- issued documents


def format_invoice_number(year: int, sequence: int) -> str:
    """Invoice/credit-note number: year and a gapless per-year sequence, e.g. ``2026-000001``."""
    if not 1 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"sequence must be 1..999999, got {sequence}")
    return f"{year:04d}-{sequence:06d}"


def parse_invoice_number(number: str) -> tuple[int, int]:
    """Year and sequence of a document number (the inverse of :func:`format_invoice_number`)."""
    match = _INVOICE_NUMBER.match(number)
    if not match or int(match.group(2)) == 0:
        raise ValueError(f"not an invoice number: {number!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class Invoice:
    """An issued invoice or credit note: numbered, dated and never changed afterwards."""

    number: str
    issued_on: date
    due_on: date
    draft: InvoiceDraft
    document_type: DocumentType = "invoice"
    corrects_number: str | None = None
    corrects_issued_on: date | None = None

    def __post_init__(self) -> None:
        parse_invoice_number(self.number)
        if self.draft.is_preview:
            raise ValueError("a preview cannot be issued as an invoice")
        if self.document_type == "credit_note" and not self.corrects_number:
            raise ValueError("a credit note must reference the invoice it corrects")

    @property
    def seller(self) -> Party:
        return self.draft.seller

    @property
    def buyer(self) -> Party:
        return self.draft.buyer

    @property
    def month(self) -> BillingMonth:
        return self.draft.month


def issue_invoice(draft: InvoiceDraft, *, number: str, issued_on: date, payment_terms_days: int) -> Invoice:
    """Turn a draft into the issued invoice once the store has assigned its number atomically."""
    return Invoice(
        number=number,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=payment_terms_days),
        draft=draft,
    )


def _negated(line: InvoiceLine) -> InvoiceLine:
    """The credit for a line: the same unit price, negated quantity and amount."""
    return replace(
        line,
        quantity=-line.quantity,
        amount=-line.amount,
        explain=f"Credit for: {line.explain}",
    )


def credit_note_for(
    invoice: Invoice,
    *,
    number: str,
    issued_on: date,
    reason: str,
    line_indexes: Sequence[int] | None = None,
) -> Invoice:
    """A credit note that reverses ``invoice`` (or only the lines at ``line_indexes``).

    Amounts are negated (unit prices stay positive); the VAT treatment, rate and notes of the
    original stay, and the VAT is recomputed on the credited net, so a full reversal credits
    exactly the invoiced VAT.
    """
    if invoice.document_type != "invoice":
        raise ValueError("only an invoice can be credited")
    original = invoice.draft
    if line_indexes is None:
        chosen = original.lines
    else:
        if not line_indexes or len(set(line_indexes)) != len(line_indexes):
            raise ValueError("line_indexes must name each credited line once")
        chosen = tuple(original.lines[i] for i in line_indexes)
    lines = tuple(_negated(line) for line in chosen)
    net = sum((line.amount for line in lines), Decimal("0.00"))
    vat = vat_amount(net, original.vat_rate)
    reference = f"Gutschrift zur Rechnung / credit note for invoice {invoice.number} of {invoice.issued_on}"
    draft = replace(
        original,
        lines=lines,
        net=net,
        vat=vat,
        total=net + vat,
        notes=(*original.notes, f"{reference}: {reason}"),
        explain=(f"{reference}: {reason}", *original.explain),
    )
    return Invoice(
        number=number,
        issued_on=issued_on,
        due_on=issued_on,
        draft=draft,
        document_type="credit_note",
        corrects_number=invoice.number,
        corrects_issued_on=invoice.issued_on,
    )


# --------------------------------------------------------------------------- JSON


def money_str(amount: Decimal) -> str:
    """An amount as the decimal string of the HTTP contract: ``"39.90"`` (never ``"-0.00"``)."""
    value = round_cents(amount)
    if value == 0:
        value = abs(value)
    return f"{value:f}"


def quantity_str(quantity: Decimal) -> str:
    """A quantity without float noise or exponent: ``"2"``, ``"1.5"``."""
    normalized = quantity.normalize()
    if normalized == 0:
        return "0"
    return f"{normalized:f}"


def _party_json(party: Party) -> dict[str, Any]:
    return {
        "name": party.name,
        "street": party.street,
        "postcode": party.postcode,
        "city": party.city,
        "country": party.country,
        "vat_id": party.vat_id,
        "email": party.email,
    }


def _party_from_json(data: Mapping[str, Any]) -> Party:
    return Party(
        name=data["name"],
        street=data["street"],
        postcode=data["postcode"],
        city=data["city"],
        country=data["country"],
        vat_id=data.get("vat_id"),
        email=data.get("email"),
    )


def draft_to_json(draft: InvoiceDraft) -> dict[str, Any]:
    """A draft (e.g. the month-to-date preview) as JSON-ready data; amounts as decimal strings."""
    return {
        "account_id": draft.account_id,
        "month": str(draft.month),
        "preview": draft.is_preview,
        "service_period": {
            "start": draft.service_period_start.isoformat(),
            "end": draft.service_period_end.isoformat(),
        },
        "lines": [
            {
                "kind": line.kind,
                "item_id": line.item_id,
                "description": line.description,
                "quantity": quantity_str(line.quantity),
                "unit_code": line.unit_code,
                "unit_price": money_str(line.unit_price),
                "amount": money_str(line.amount),
                "users": list(line.user_names),
                "explain": line.explain,
            }
            for line in draft.lines
        ],
        "net": money_str(draft.net),
        "vat_rate": money_str(draft.vat_rate),
        "vat": money_str(draft.vat),
        "total": money_str(draft.total),
        "currency": draft.currency,
        "vat_treatment": draft.vat_treatment,
        "vat_category": draft.vat_category,
        "vat_exemption": (
            {"reason": draft.vat_exemption_reason, "code": draft.vat_exemption_code}
            if draft.vat_exemption_reason or draft.vat_exemption_code
            else None
        ),
        "notes": list(draft.notes),
        "seller": _party_json(draft.seller),
        "buyer": _party_json(draft.buyer),
        "language": draft.language,
        "explain": list(draft.explain),
    }


def invoice_to_json(invoice: Invoice) -> dict[str, Any]:
    """The issued document as the HTTP contract shows it (SPEC §9) and as it is stored.

    Fixed fields: ``number``, ``month`` ("YYYY-MM"), ``issued_on``, ``lines`` (``description``,
    ``quantity``, ``unit_price``, ``amount``), ``net``, ``vat_rate``, ``vat``, ``total``,
    ``currency``; amounts are decimal strings. :func:`invoice_from_json` reads it back.
    """
    data = draft_to_json(invoice.draft)
    del data["preview"]
    return {
        "number": invoice.number,
        "document_type": invoice.document_type,
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat(),
        "corrects": (
            {
                "number": invoice.corrects_number,
                "issued_on": invoice.corrects_issued_on.isoformat() if invoice.corrects_issued_on else None,
            }
            if invoice.corrects_number
            else None
        ),
        **data,
    }


def invoice_from_json(data: Mapping[str, Any]) -> Invoice:
    """Rebuild an issued document from :func:`invoice_to_json` output (e.g. to render its e-invoice)."""
    corrects = data.get("corrects")
    exemption = data.get("vat_exemption") or {}
    lines = tuple(
        InvoiceLine(
            kind=cast(LineKind, line["kind"]),
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            amount=Decimal(line["amount"]),
            unit_code=line["unit_code"],
            explain=line["explain"],
            item_id=line.get("item_id", ""),
            user_names=tuple(line.get("users", ())),
        )
        for line in data["lines"]
    )
    draft = InvoiceDraft(
        account_id=data["account_id"],
        month=BillingMonth.parse(data["month"]),
        service_period_start=date.fromisoformat(data["service_period"]["start"]),
        service_period_end=date.fromisoformat(data["service_period"]["end"]),
        lines=lines,
        net=Decimal(data["net"]),
        vat_rate=Decimal(data["vat_rate"]),
        vat=Decimal(data["vat"]),
        total=Decimal(data["total"]),
        currency=data["currency"],
        vat_treatment=cast(VatTreatment, data["vat_treatment"]),
        vat_category=data["vat_category"],
        vat_exemption_reason=exemption.get("reason"),
        vat_exemption_code=exemption.get("code"),
        notes=tuple(data["notes"]),
        seller=_party_from_json(data["seller"]),
        buyer=_party_from_json(data["buyer"]),
        language=data["language"],
        explain=tuple(data["explain"]),
    )
    return Invoice(
        number=data["number"],
        issued_on=date.fromisoformat(data["issued_on"]),
        due_on=date.fromisoformat(data["due_on"]),
        draft=draft,
        document_type=cast(DocumentType, data.get("document_type", "invoice")),
        corrects_number=corrects["number"] if corrects else None,
        corrects_issued_on=(
            date.fromisoformat(corrects["issued_on"]) if corrects and corrects.get("issued_on") else None
        ),
    )
