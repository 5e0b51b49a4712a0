"""Invoice drafts: what a month costs, line by line, with why each line is there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from shared.rules.accounts.dates import moment_after
from shared.rules.billing.apps import apps_subscribed_between
from shared.rules.billing.editions import edition_between, editions_held_between
from shared.rules.billing.errors import BillingError
from shared.rules.billing.history import BillingHistory, history_until
from shared.rules.billing.money import round_cents
from shared.rules.billing.months import BillingMonth, overlaps, start_of_day
from shared.rules.billing.parties import BillingAccount, Party
from shared.rules.billing.seats import seat_activity, users_counted_between
from shared.rules.billing.terms import BillingTerms
from shared.rules.billing.vat import VatTreatment, vat_amount, vat_decision

#: UN/ECE Recommendation 20 unit codes used on invoice lines (EN 16931 BT-130).
UNIT_PIECE = "C62"  # "one": a seat, a monthly app subscription
UNIT_HOUR = "HUR"

LineKind = Literal["seats", "app", "support"]


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
    activity = seat_activity(history.seat_events, until=end)
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
            if overlaps(a, d, start, end)
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
            if s.app_id == app_id and overlaps(s.subscribed_at, s.cancelled_effective_at, start, end)
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
    start, end = start_of_day(first, zone), moment_after(last, ZoneInfo(zone))

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
    cutoff = moment_after(today, ZoneInfo(terms.time_zone))  # what happened up to the end of today
    return _draft(account, history_until(history, cutoff), month, terms, preview=True)
