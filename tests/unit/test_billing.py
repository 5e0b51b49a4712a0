"""Golden and property tests of the billing rules (shared/rules/billing/) and the e-invoice XML.

Every golden number below is worked out by hand in the comment next to it, from the policy
defaults (basic 12.00, team 24.00, business 39.90 per user and month; apps telephony 9.90,
newsletter 19.00, dms 14.50; support 95.00 per hour; German VAT 19 %). Amounts are rounded
half up to the cent per line; the VAT is computed once on the net.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from shared.derived import billing_terms_of
from shared.policy import Policy
from shared.rules.accounts.dates import first_paid_day
from shared.rules.billing import (
    DEFAULT_OUTSIDE_EU_NOTE,
    AppSubscription,
    AppTerms,
    BillableHours,
    BillingAccount,
    BillingError,
    BillingHistory,
    BillingMonth,
    BillingTerms,
    CountedUser,
    EditionChange,
    EditionTerms,
    Invoice,
    InvoiceDraft,
    Party,
    SeatEvent,
    VatTerms,
    billable_months,
    compute_invoice_draft,
    credit_note_for,
    edition_change_effective_at,
    edition_for_month,
    format_invoice_number,
    issue_invoice,
    month_to_date_preview,
    parse_invoice_number,
    users_counted_in_month,
)
from shared.rules.billing.einvoice import EInvoiceValidationError, invoice_to_en16931_xml, validate_en16931_xml
from shared.storage.invoice_json import invoice_from_json, invoice_to_json

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
D = Decimal
RC_NOTE = "Steuerschuldnerschaft des Leistungsempfängers / reverse charge"
EU = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip
SELLER = Party(
    name="Cocoon CRM GmbH",
    street="Königstraße 1",
    postcode="70173",
    city="Stuttgart",
    country="DE",
    vat_id="DE136695976",
    email="billing@cocoon.example",
)
TERMS = BillingTerms(
    seller=SELLER,
    currency="EUR",
    payment_terms_days=14,
    editions={
        "basic": EditionTerms("basic", D("12.00"), 1, "Basic"),
        "team": EditionTerms("team", D("24.00"), 2, "Team"),
        "business": EditionTerms("business", D("39.90"), 3, "Business"),
    },
    apps={
        "telephony": AppTerms("telephony", "Telephony connector", D("9.90")),
        "newsletter": AppTerms("newsletter", "Newsletter", D("19.00")),
        "dms": AppTerms("dms", "Document management", D("14.50")),
    },
    vat=VatTerms(home_country="DE", home_rate=D("19"), eu_countries=EU, reverse_charge_note=RC_NOTE),
    support_hourly_rate=D("95.00"),
)
RANKS = TERMS.edition_ranks
MAR = BillingMonth(2026, 3)
APR = BillingMonth(2026, 4)
FEB = BillingMonth(2026, 2)



def last_trial_day_of(verified_on: date, length_days: int) -> date:
    """The trial rule of shared.rules.signup (day 1 = the day of verification, Berlin)."""
    from zoneinfo import ZoneInfo

    from shared.rules.signup import trial_period

    zone = ZoneInfo("Europe/Berlin")
    return trial_period(datetime.combine(verified_on, time(12), tzinfo=zone), zone, length_days).last_day


def app_end(moment: datetime) -> datetime:
    """Where a cancelled app stops: the first instant of the next month (notice 0)."""
    return BillingMonth.containing(moment, "Europe/Berlin").end("Europe/Berlin")

def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A Berlin wall-clock instant."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def on(user_id: str, name: str, when: datetime) -> SeatEvent:
    return SeatEvent(user_id, name, True, when)


def off(user_id: str, name: str, when: datetime) -> SeatEvent:
    return SeatEvent(user_id, name, False, when)


def account(
    country: str = "DE",
    vat_id: str | None = "DE811907980",
    paid_from: date = date(2026, 1, 1),
    billing_ends_on: date | None = None,
    name: str = "Müller Maschinenbau GmbH",
) -> BillingAccount:
    addresses = {
        "DE": ("Hauptstraße 5", "80331", "München"),
        "AT": ("Ringstraße 1", "1010", "Wien"),
        "CH": ("Bahnhofstrasse 10", "8001", "Zürich"),
        "FR": ("12 rue de la Paix", "75002", "Paris"),
        "US": ("1 Main Street", "10001", "New York"),
    }
    street, postcode, city = addresses[country]
    return BillingAccount(
        account_id="acc-1",
        buyer_name=name,
        street=street,
        postcode=postcode,
        city=city,
        country=country,
        vat_id=vat_id,
        paid_from=paid_from,
        billing_ends_on=billing_ends_on,
        language="de",
    )


def totals(draft: InvoiceDraft) -> tuple[Decimal, Decimal, Decimal]:
    return draft.net, draft.vat, draft.total


def issue(draft: InvoiceDraft, sequence: int = 1, issued_on: date = date(2026, 4, 1)) -> Invoice:
    return issue_invoice(
        draft, number=format_invoice_number(2026, sequence), issued_on=issued_on, payment_terms_days=14
    )


# --------------------------------------------------------------------------- seats


SWAP_EVENTS = [
    on("u-anna", "Anna Albrecht", at(2025, 12, 2)),
    off("u-anna", "Anna Albrecht", at(2026, 3, 3, 9)),
    on("u-bernd", "Bernd Becker", at(2026, 3, 20, 10)),
]
TEAM_SINCE_DECEMBER = [EditionChange("team", at(2025, 12, 1))]


def test_users_swapped_mid_month_are_two_seats() -> None:
    # Anna active 1–3 March, Bernd from 20 March: both were active at some moment of March.
    assert users_counted_in_month(SWAP_EVENTS, MAR) == [
        CountedUser("u-anna", "Anna Albrecht"),
        CountedUser("u-bernd", "Bernd Becker"),
    ]
    assert users_counted_in_month(SWAP_EVENTS, FEB) == [("u-anna", "Anna Albrecht")]
    assert users_counted_in_month(SWAP_EVENTS, APR) == [("u-bernd", "Bernd Becker")]


def test_golden_swap_two_seats_german_customer() -> None:
    history = BillingHistory(seat_events=SWAP_EVENTS, edition_changes=TEAM_SINCE_DECEMBER)
    march = compute_invoice_draft(account(), history, MAR, TERMS)
    # 2 users × 24.00 = 48.00; VAT 48.00 × 19 % = 9.12; total 57.12
    assert [(line.quantity, line.unit_price, line.amount) for line in march.lines] == [(D(2), D("24.00"), D("48.00"))]
    assert march.lines[0].description == "2 users × Team: Anna Albrecht, Bernd Becker"
    assert march.lines[0].user_names == ("Anna Albrecht", "Bernd Becker")
    assert totals(march) == (D("48.00"), D("9.12"), D("57.12"))
    assert march.vat_rate == D("19")
    assert march.vat_treatment == "domestic"
    assert march.notes == ()
    # April: only Bernd. 1 × 24.00 = 24.00; VAT 4.56; total 28.56 — fewer users, lower bill.
    april = compute_invoice_draft(account(), history, APR, TERMS)
    assert totals(april) == (D("24.00"), D("4.56"), D("28.56"))
    assert april.total < march.total


def test_reactivating_the_same_user_is_one_seat() -> None:
    events = [
        on("u-anna", "Anna Albrecht", at(2026, 3, 1)),
        off("u-anna", "Anna Albrecht", at(2026, 3, 3)),
        on("u-anna", "Anna Albrecht", at(2026, 3, 10)),
        on("u-anna", "Anna Albrecht", at(2026, 3, 11)),  # repeated activation: no second seat
    ]
    assert users_counted_in_month(events, MAR) == [("u-anna", "Anna Albrecht")]


def test_month_boundaries_are_berlin_instants() -> None:
    # 2026-03-31T22:30Z is 1 April 00:30 in Berlin (CEST, UTC+2): an April seat only.
    late = [on("u-x", "Xaver", datetime(2026, 3, 31, 22, 30, tzinfo=UTC))]
    assert users_counted_in_month(late, MAR) == []
    assert users_counted_in_month(late, APR) == [("u-x", "Xaver")]
    # deactivated exactly at the first instant of March: never active in March
    gone = [on("u-y", "Yvonne", at(2026, 2, 1)), off("u-y", "Yvonne", at(2026, 3, 1, 0))]
    assert users_counted_in_month(gone, MAR) == []
    # activated and deactivated at the same instant: never active
    blink = [on("u-z", "Zoe", at(2026, 3, 5)), off("u-z", "Zoe", at(2026, 3, 5))]
    assert users_counted_in_month(blink, MAR) == []


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        SeatEvent("u", "U", True, datetime(2026, 3, 1, 12))


# --------------------------------------------------------------------------- editions


THREE_USERS = [
    on("u-1", "Carla Christ", at(2026, 1, 1, 9)),
    on("u-2", "Dana Dorn", at(2026, 1, 1, 9)),
    on("u-3", "Emil Ernst", at(2026, 1, 1, 9)),
]


def test_golden_upgrade_on_the_20th_bills_the_whole_month_at_the_higher_edition() -> None:
    upgrade_at = at(2026, 3, 20, 14, 30)
    effective = edition_change_effective_at("team", "business", upgrade_at, RANKS)
    assert effective == upgrade_at  # an upgrade takes effect at once
    changes = [EditionChange("team", at(2025, 12, 1)), EditionChange("business", effective)]
    assert edition_for_month(changes, MAR, RANKS) == "business"
    assert edition_for_month(changes, FEB, RANKS) == "team"
    history = BillingHistory(seat_events=THREE_USERS, edition_changes=changes)
    march = compute_invoice_draft(account(), history, MAR, TERMS)
    # 3 × 39.90 = 119.70; VAT 119.70 × 0.19 = 22.743 → 22.74; total 142.44
    assert march.lines[0].description.startswith("3 users × Business")
    assert totals(march) == (D("119.70"), D("22.74"), D("142.44"))
    # February, before the upgrade: 3 × 24.00 = 72.00; VAT 13.68; total 85.68
    assert totals(compute_invoice_draft(account(), history, FEB, TERMS)) == (
        D("72.00"),
        D("13.68"),
        D("85.68"),
    )


def test_golden_downgrade_takes_effect_next_month() -> None:
    requested = at(2026, 4, 10, 11)
    effective = edition_change_effective_at("business", "basic", requested, RANKS)
    assert effective == datetime(2026, 5, 1, 0, 0, tzinfo=BERLIN)
    changes = [EditionChange("business", at(2025, 12, 1)), EditionChange("basic", effective)]
    users = THREE_USERS[:2]
    history = BillingHistory(seat_events=users, edition_changes=changes)
    april = compute_invoice_draft(account(), history, APR, TERMS)
    # April still business: 2 × 39.90 = 79.80; VAT 15.162 → 15.16; total 94.96
    assert april.lines[0].item_id == "business"
    assert totals(april) == (D("79.80"), D("15.16"), D("94.96"))
    may = compute_invoice_draft(account(), history, BillingMonth(2026, 5), TERMS)
    # May at basic: 2 × 12.00 = 24.00; VAT 4.56; total 28.56
    assert may.lines[0].item_id == "basic"
    assert totals(may) == (D("24.00"), D("4.56"), D("28.56"))


def test_downgrade_requested_late_in_the_berlin_month() -> None:
    # 2026-03-31T23:30Z is already 1 April 01:30 in Berlin → effective 1 May
    now = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert edition_change_effective_at("team", "basic", now, RANKS) == at(2026, 5, 1, 0)
    # December → next year's January
    assert edition_change_effective_at("team", "basic", at(2026, 12, 15), RANKS) == at(2027, 1, 1, 0)
    # first choice and same edition: at once
    assert edition_change_effective_at(None, "basic", now, RANKS) == now
    assert edition_change_effective_at("team", "team", now, RANKS) == now
    with pytest.raises(BillingError):
        edition_change_effective_at("team", "platinum", now, RANKS)


# --------------------------------------------------------------------------- trial conversion, pro rata


def test_golden_conversion_on_trial_day_12_keeps_the_free_days() -> None:
    # Day 1 = 2026-01-30 (verification); day 30 = 2026-01-30 + 29 days = 2026-02-28.
    verified = date(2026, 1, 30)
    last_trial_day = last_trial_day_of(verified, 30)
    assert last_trial_day == date(2026, 2, 28)
    converted = date(2026, 2, 10)  # day 12: 30 Jan = 1, 31 Jan = 2, 1 Feb = 3, …, 10 Feb = 12
    paid_from = first_paid_day(last_trial_day, converted)
    assert paid_from == date(2026, 3, 1)  # day 31: converting early changes nothing
    assert first_paid_day(last_trial_day, date(2026, 2, 28)) == date(2026, 3, 1)
    # after the trial (staff reactivation) paid service starts that day
    assert first_paid_day(last_trial_day, date(2026, 3, 5)) == date(2026, 3, 5)

    history = BillingHistory(
        seat_events=[
            on("u-admin", "Anna Admin", at(2026, 1, 30, 9)),
            on("u-temp", "Tim Trial", at(2026, 2, 2)),
            off("u-temp", "Tim Trial", at(2026, 2, 20)),  # trial only: never billed
            on("u-col", "Cora Colleague", at(2026, 2, 25)),
        ],
        edition_changes=[
            EditionChange("business", edition_change_effective_at(None, "business", at(2026, 2, 10), RANKS))
        ],
    )
    acc = account(paid_from=paid_from)
    assert billable_months(paid_from, date(2026, 3, 15)) == []
    assert billable_months(paid_from, date(2026, 4, 1)) == [MAR]
    march = compute_invoice_draft(acc, history, MAR, TERMS)
    # March is whole (paid days 31/31): 2 × 39.90 = 79.80; VAT 15.162 → 15.16; total 94.96
    assert march.lines[0].description == "2 users × Business: Anna Admin, Cora Colleague"
    assert totals(march) == (D("79.80"), D("15.16"), D("94.96"))
    with pytest.raises(BillingError, match="not a paid month"):
        compute_invoice_draft(acc, history, FEB, TERMS)


def test_golden_first_month_pro_rata_rounds_half_up() -> None:
    # Verified 2026-01-29 → trial ends 2026-02-27 → paid from 2026-02-28 (converted on day 12, 9 Feb).
    paid_from = first_paid_day(last_trial_day_of(date(2026, 1, 29), 30), date(2026, 2, 9))
    assert paid_from == date(2026, 2, 28)
    history = BillingHistory(
        seat_events=THREE_USERS[:2],
        edition_changes=[EditionChange("business", at(2026, 2, 9))],
    )
    feb = compute_invoice_draft(account(paid_from=paid_from), history, FEB, TERMS)
    # 1 paid day of 28: unit price 39.90 × 1 / 28 = 1.425 → 1.43 (half up; half-even would give 1.42)
    # 2 users × 1.43 = 2.86; VAT 2.86 × 0.19 = 0.5434 → 0.54; total 3.40
    line = feb.lines[0]
    assert (line.quantity, line.unit_price, line.amount) == (D(2), D("1.43"), D("2.86"))
    assert "pro rata 1/28 days" in line.description
    assert "39.90 × 1 / 28" in line.explain
    assert totals(feb) == (D("2.86"), D("0.54"), D("3.40"))
    assert (feb.service_period_start, feb.service_period_end) == (date(2026, 2, 28), date(2026, 2, 28))
    # the next month is whole: 2 × 39.90 = 79.80
    assert compute_invoice_draft(account(paid_from=paid_from), history, MAR, TERMS).net == D("79.80")


def test_golden_pro_rata_ignores_users_active_only_in_the_trial_part() -> None:
    # Verified 2026-02-10 → trial ends 2026-03-11 → paid from 2026-03-12: 20 of 31 March days paid.
    paid_from = first_paid_day(last_trial_day_of(date(2026, 2, 10), 30), date(2026, 2, 21))
    assert paid_from == date(2026, 3, 12)
    history = BillingHistory(
        seat_events=[
            on("u-1", "Carla Christ", at(2026, 2, 10)),
            on("u-2", "Dana Dorn", at(2026, 2, 11)),
            on("u-3", "Emil Ernst", at(2026, 2, 12)),
            off("u-3", "Emil Ernst", at(2026, 3, 5)),  # gone before the paid part of March
        ],
        edition_changes=[EditionChange("team", at(2026, 2, 21))],
    )
    march = compute_invoice_draft(account(paid_from=paid_from), history, MAR, TERMS)
    # unit 24.00 × 20 / 31 = 15.4838… → 15.48; 2 × 15.48 = 30.96; VAT 5.8824 → 5.88; total 36.84
    assert march.lines[0].user_names == ("Carla Christ", "Dana Dorn")
    assert (march.lines[0].unit_price, march.lines[0].amount) == (D("15.48"), D("30.96"))
    assert totals(march) == (D("30.96"), D("5.88"), D("36.84"))
    assert march.service_period_start == date(2026, 3, 12)


# --------------------------------------------------------------------------- VAT treatments


BUSINESS_TWO_USERS = BillingHistory(
    seat_events=THREE_USERS[:2], edition_changes=[EditionChange("business", at(2025, 12, 1))]
)


def test_golden_austrian_business_with_vat_id_is_reverse_charge() -> None:
    acc = account(country="AT", vat_id="ATU13585627", name="Alpenblick Software GmbH")
    march = compute_invoice_draft(acc, BUSINESS_TWO_USERS, MAR, TERMS)
    # 2 × 39.90 = 79.80; VAT 0 % = 0.00; total 79.80, with the reverse-charge note
    assert totals(march) == (D("79.80"), D("0.00"), D("79.80"))
    assert march.vat_rate == 0
    assert march.vat_treatment == "reverse_charge"
    assert march.vat_category == "AE"
    assert march.notes == (RC_NOTE,)
    assert march.buyer.vat_id == "ATU13585627"


def test_golden_swiss_customer_pays_no_vat() -> None:
    acc = account(country="CH", vat_id="CHE-116.281.710 MWST", name="Zürcher Treuhand AG")
    history = BillingHistory(seat_events=THREE_USERS, edition_changes=TEAM_SINCE_DECEMBER)
    march = compute_invoice_draft(acc, history, MAR, TERMS)
    # 3 × 24.00 = 72.00; no VAT; total 72.00
    assert totals(march) == (D("72.00"), D("0.00"), D("72.00"))
    assert march.vat_treatment == "outside_eu"
    assert march.vat_category == "O"
    assert len(march.notes) == 1
    assert "not taxable in Germany" in march.notes[0]


def test_golden_eu_business_without_vat_id_pays_german_vat() -> None:
    acc = account(country="FR", vat_id=None, name="Atelier Lumière SARL")
    history = BillingHistory(seat_events=THREE_USERS[:1], edition_changes=[EditionChange("basic", at(2026, 1, 1))])
    march = compute_invoice_draft(acc, history, MAR, TERMS)
    # 1 × 12.00 = 12.00; VAT 19 % = 2.28; total 14.28
    assert totals(march) == (D("12.00"), D("2.28"), D("14.28"))
    assert march.vat_treatment == "eu_without_vat_id"
    assert march.notes == ()


# --------------------------------------------------------------------------- apps, support hours, JSON


def full_history() -> BillingHistory:
    return BillingHistory(
        seat_events=SWAP_EVENTS,
        edition_changes=TEAM_SINCE_DECEMBER,
        app_subscriptions=[
            # cancelled on 10 March → usable to the end of March, not billed in April
            AppSubscription("telephony", at(2026, 1, 15), app_end(at(2026, 3, 10))),
            # subscribed at 23:30 on the last evening of March: billed for March
            AppSubscription("newsletter", at(2026, 3, 31, 23, 30)),
            # cancelled in February: gone before March
            AppSubscription("dms", at(2026, 2, 1), app_end(at(2026, 2, 14))),
        ],
        billable_hours=[
            BillableHours(MAR, D("1.5"), "Ticket#2026031010001 data import"),
            BillableHours(FEB, D("2"), "Ticket#2026020210001 training"),
        ],
    )


def test_app_cancellation_is_effective_at_the_end_of_the_month() -> None:
    # The apps' rule is the contract's notice rule with the policy's apps notice (0 working days).
    from shared.rules.calendar import WorkingCalendar
    from shared.rules.cancellation import cancellation_effective_date

    calendar = WorkingCalendar("DE", "BW")
    assert cancellation_effective_date(date(2026, 3, 31), calendar, 0) == date(2026, 3, 31)
    assert cancellation_effective_date(date(2026, 12, 31), calendar, 0) == date(2026, 12, 31)
    assert app_end(at(2026, 3, 10)) == at(2026, 4, 1, 0)


def test_golden_german_invoice_with_apps_and_support_hours() -> None:
    march = compute_invoice_draft(account(), full_history(), MAR, TERMS)
    # seats      2 × 24.00  =  48.00
    # telephony  1 ×  9.90  =   9.90
    # newsletter 1 × 19.00  =  19.00
    # support  1.5 × 95.00  = 142.50
    # net 219.40; VAT 219.40 × 0.19 = 41.686 → 41.69; total 261.09
    assert [(line.kind, line.item_id, line.amount) for line in march.lines] == [
        ("seats", "team", D("48.00")),
        ("app", "newsletter", D("19.00")),
        ("app", "telephony", D("9.90")),
        ("support", "support", D("142.50")),
    ]
    assert totals(march) == (D("219.40"), D("41.69"), D("261.09"))
    for line in march.lines:
        assert line.explain  # every fee is explained by the history
    april = compute_invoice_draft(account(), full_history(), APR, TERMS)
    # April: Bernd 1 × 24.00 + newsletter 19.00 = 43.00; VAT 8.17; total 51.17
    assert totals(april) == (D("43.00"), D("8.17"), D("51.17"))


def test_golden_invoice_json() -> None:
    invoice = issue(compute_invoice_draft(account(), full_history(), MAR, TERMS), sequence=42)
    data = invoice_to_json(invoice)
    assert {k: data[k] for k in ("number", "month", "issued_on", "due_on", "currency")} == {
        "number": "2026-000042",
        "month": "2026-03",
        "issued_on": "2026-04-01",
        "due_on": "2026-04-15",
        "currency": "EUR",
    }
    assert [{k: line[k] for k in ("description", "quantity", "unit_price", "amount")} for line in data["lines"]] == [
        {
            "description": "2 users × Team: Anna Albrecht, Bernd Becker",
            "quantity": "2",
            "unit_price": "24.00",
            "amount": "48.00",
        },
        {"description": "Add-on app Newsletter", "quantity": "1", "unit_price": "19.00", "amount": "19.00"},
        {
            "description": "Add-on app Telephony connector",
            "quantity": "1",
            "unit_price": "9.90",
            "amount": "9.90",
        },
        {
            "description": "Support: Ticket#2026031010001 data import",
            "quantity": "1.5",
            "unit_price": "95.00",
            "amount": "142.50",
        },
    ]
    assert (data["net"], data["vat_rate"], data["vat"], data["total"]) == (
        "219.40",
        "19.00",
        "41.69",
        "261.09",
    )
    assert data["service_period"] == {"start": "2026-03-01", "end": "2026-03-31"}
    assert data["seller"]["vat_id"] == "DE136695976"
    assert data["buyer"]["name"] == "Müller Maschinenbau GmbH"
    assert data["document_type"] == "invoice"
    assert data["corrects"] is None
    assert invoice_from_json(data) == invoice


def test_credit_note_references_the_invoice_with_negated_amounts() -> None:
    invoice = issue(compute_invoice_draft(account(), full_history(), MAR, TERMS), sequence=42)
    full = credit_note_for(invoice, number="2026-000043", issued_on=date(2026, 4, 5), reason="Rechnung storniert")
    # everything negated: -219.40 net, -41.69 VAT, -261.09 total
    assert totals(full.draft) == (D("-219.40"), D("-41.69"), D("-261.09"))
    assert full.corrects_number == "2026-000042"
    data = invoice_to_json(full)
    assert data["document_type"] == "credit_note"
    assert data["corrects"] == {"number": "2026-000042", "issued_on": "2026-04-01"}
    assert data["lines"][0]["amount"] == "-48.00"
    assert data["lines"][0]["unit_price"] == "24.00"
    assert any("2026-000042" in note for note in data["notes"])
    assert invoice_from_json(data) == full

    partial = credit_note_for(
        invoice, number="2026-000044", issued_on=date(2026, 4, 5), reason="hours disputed", line_indexes=[3]
    )
    # -1.5 × 95.00 = -142.50; VAT -27.075 → -27.08 (half up, away from zero); total -169.58
    assert totals(partial.draft) == (D("-142.50"), D("-27.08"), D("-169.58"))
    with pytest.raises(ValueError, match="only an invoice"):
        credit_note_for(full, number="2026-000045", issued_on=date(2026, 4, 5), reason="x")


# --------------------------------------------------------------------------- months, preview, numbers


def test_billable_months() -> None:
    assert billable_months(date(2026, 1, 15), date(2026, 4, 1)) == [BillingMonth(2026, 1), FEB, MAR]
    assert billable_months(date(2026, 1, 15), date(2026, 3, 31)) == [BillingMonth(2026, 1), FEB]
    assert billable_months(date(2026, 1, 15), date(2026, 6, 2), date(2026, 2, 28)) == [
        BillingMonth(2026, 1),
        FEB,
    ]
    assert billable_months(date(2026, 1, 15), date(2026, 6, 2), date(2026, 1, 10)) == []
    assert billable_months(date(2025, 11, 20), date(2026, 2, 1)) == [
        BillingMonth(2025, 11),
        BillingMonth(2025, 12),
        BillingMonth(2026, 1),
    ]


def test_month_to_date_preview() -> None:
    history = full_history()
    early = month_to_date_preview(account(), history, date(2026, 3, 10), TERMS)
    # 10 March: Anna (gone on the 3rd) counted, Bernd not yet; telephony subscribed; 1.5 h approved.
    # 24.00 + 9.90 + 142.50 = 176.40; VAT 33.516 → 33.52; total 209.92
    assert early.is_preview
    assert early.month == MAR
    assert early.lines[0].user_names == ("Anna Albrecht",)
    assert totals(early) == (D("176.40"), D("33.52"), D("209.92"))
    late = month_to_date_preview(account(), history, date(2026, 3, 31), TERMS)
    # the whole month known: as the March invoice
    assert totals(late) == (D("219.40"), D("41.69"), D("261.09"))
    with pytest.raises(ValueError, match="preview"):
        issue(early)


def test_preview_during_the_trial_shows_the_first_paid_month() -> None:
    paid_from = date(2026, 3, 12)
    history = BillingHistory(
        seat_events=[on("u-1", "Carla Christ", at(2026, 2, 10))],
        edition_changes=[EditionChange("team", at(2026, 2, 21))],
    )
    preview = month_to_date_preview(account(paid_from=paid_from), history, date(2026, 2, 21), TERMS)
    # March pro rata 20/31: 24.00 × 20 / 31 = 15.48 for the one user active now
    assert preview.month == MAR
    assert preview.net == D("15.48")


def test_invoice_numbers() -> None:
    assert format_invoice_number(2026, 1) == "2026-000001"
    assert format_invoice_number(2026, 123456) == "2026-123456"
    assert parse_invoice_number("2026-000042") == (2026, 42)
    for bad in (0, 1_000_000):
        with pytest.raises(ValueError, match="sequence"):
            format_invoice_number(2026, bad)
    with pytest.raises(ValueError, match="not an invoice number"):
        parse_invoice_number("2026-42")


def test_terms_from_policy() -> None:
    """The terms are the typed policy reshaped (shared/derived.py): one parser, shared/policy.py."""
    raw = tomllib.loads((PROJECT_ROOT / "shared" / "policy.toml").read_text(encoding="utf-8"))
    terms = billing_terms_of(Policy.model_validate(raw))
    assert set(terms.editions) >= {"basic", "team", "business"}
    assert terms.seller.vat_id
    assert terms.vat.home_country == "DE"
    assert "DE" in terms.vat.eu_countries
    assert all(isinstance(e.price_per_user, Decimal) for e in terms.editions.values())
    assert terms.time_zone == raw["company_time_zone"]
    raw["billing"]["editions"] = {"team": {"monthly_price_per_user": "24.00", "rank": 2, "app_designer": False}}
    raw["billing"]["apps"] = {"dms": {"name": "Document management", "monthly_price": "14.50"}}
    raw["billing"]["vat"]["eu_countries"] = ["DE", "AT"]
    raw["billing"]["vat"]["reverse_charge_note"] = "RC"
    raw["billing"]["support"]["hourly_rate"] = "95.00"
    small = billing_terms_of(Policy.model_validate(raw))
    assert small.editions["team"] == EditionTerms("team", D("24.00"), 2, "Team")
    assert small.apps["dms"].monthly_price == D("14.50")
    assert small.support_hourly_rate == D("95.00")
    assert small.vat.eu_countries == frozenset({"DE", "AT"})
    assert small.vat.outside_eu_note == DEFAULT_OUTSIDE_EU_NOTE


# --------------------------------------------------------------------------- e-invoice


def golden_invoices() -> dict[str, Invoice]:
    de = issue(compute_invoice_draft(account(), full_history(), MAR, TERMS), 1)
    at_rc = issue(
        compute_invoice_draft(
            account(country="AT", vat_id="ATU13585627", name="Alpenblick Software GmbH"),
            BUSINESS_TWO_USERS,
            MAR,
            TERMS,
        ),
        2,
    )
    ch = issue(
        compute_invoice_draft(
            account(country="CH", vat_id="CHE-116.281.710 MWST", name="Zürcher Treuhand AG"),
            BillingHistory(seat_events=THREE_USERS, edition_changes=TEAM_SINCE_DECEMBER),
            MAR,
            TERMS,
        ),
        3,
    )
    pro_rata = issue(
        compute_invoice_draft(account(paid_from=date(2026, 2, 28)), BUSINESS_TWO_USERS, FEB, TERMS),
        4,
        issued_on=date(2026, 3, 1),
    )
    credit = credit_note_for(de, number="2026-000005", issued_on=date(2026, 4, 5), reason="storniert")
    return {"de": de, "at_reverse_charge": at_rc, "ch": ch, "pro_rata": pro_rata, "credit_note": credit}


RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
RSM = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"


@pytest.mark.parametrize("name", ["de", "at_reverse_charge", "ch", "pro_rata", "credit_note"])
def test_einvoice_validates_against_the_en16931_schema(name: str) -> None:
    invoice = golden_invoices()[name]
    xml = invoice_to_en16931_xml(invoice)
    validate_en16931_xml(xml)
    root = etree.fromstring(xml)
    assert root.findtext(f"{RSM}ExchangedDocument/{RAM}ID") == invoice.number
    grand_total = root.findtext(f".//{RAM}GrandTotalAmount")
    assert grand_total is not None
    draft = invoice.draft
    if invoice.document_type == "credit_note":
        assert root.findtext(f"{RSM}ExchangedDocument/{RAM}TypeCode") == "381"
        assert D(grand_total) == -draft.total > 0
        assert root.findtext(f".//{RAM}InvoiceReferencedDocument/{RAM}IssuerAssignedID") == "2026-000001"
    else:
        assert root.findtext(f"{RSM}ExchangedDocument/{RAM}TypeCode") == "380"
        assert D(grand_total) == draft.total
    assert root.findtext(f".//{RAM}ApplicableHeaderTradeSettlement/{RAM}ApplicableTradeTax/{RAM}CategoryCode") == (
        draft.vat_category
    )
    notes = [n.text for n in root.iterfind(f"{RSM}ExchangedDocument/{RAM}IncludedNote/{RAM}Content")]
    if draft.vat_treatment == "reverse_charge":
        assert RC_NOTE in notes
        assert root.findtext(f".//{RAM}BuyerTradeParty/{RAM}SpecifiedTaxRegistration/{RAM}ID") == "ATU13585627"
    assert len(root.findall(f".//{RAM}IncludedSupplyChainTradeLineItem")) == len(draft.lines)


def test_broken_einvoice_fails_validation() -> None:
    xml = invoice_to_en16931_xml(golden_invoices()["de"])
    root = etree.fromstring(xml)
    document_id = root.find(f"{RSM}ExchangedDocument/{RAM}ID")
    assert document_id is not None
    document_id.getparent().remove(document_id)  # BT-1, the invoice number, is mandatory
    with pytest.raises(EInvoiceValidationError):
        validate_en16931_xml(etree.tostring(root))
    with pytest.raises(EInvoiceValidationError):
        validate_en16931_xml(xml[:-40])  # not even well-formed


def test_einvoice_library_is_imported_lazily() -> None:
    code = "import sys, shared.rules.billing.einvoice, shared.rules.billing; print('facturx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --------------------------------------------------------------------------- properties


USER_IDS = ["u-0", "u-1", "u-2", "u-3", "u-4"]
moments = st.datetimes(min_value=datetime(2026, 2, 1), max_value=datetime(2026, 4, 30), timezones=st.just(UTC))
seat_events = st.lists(
    st.builds(
        lambda uid, active, moment: SeatEvent(uid, f"Name {uid}", active, moment),
        st.sampled_from(USER_IDS),
        st.booleans(),
        moments,
    ),
    max_size=25,
)
apps = st.lists(
    st.builds(
        lambda app_id, start, cancel: AppSubscription(
            app_id, start, app_end(start) if cancel else None
        ),
        st.sampled_from(["telephony", "newsletter", "dms"]),
        moments,
        st.booleans(),
    ),
    max_size=4,
)
hours = st.lists(
    st.builds(
        lambda h: BillableHours(MAR, h, "support"),
        st.decimals(min_value=0, max_value=40, places=2, allow_nan=False, allow_infinity=False),
    ),
    max_size=3,
)
countries = st.sampled_from([("DE", "DE811907980"), ("AT", "ATU13585627"), ("FR", None), ("CH", None), ("US", None)])
editions = st.sampled_from(["basic", "team", "business"])
paid_froms = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 31))


def two_places(value: Decimal) -> bool:
    return value.as_tuple().exponent == -2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seat_events, apps, hours, countries, editions, paid_froms)
def test_amounts_have_two_decimals_and_total_is_net_plus_vat(
    events: list[SeatEvent],
    subscriptions: list[AppSubscription],
    billable: list[BillableHours],
    country: tuple[str, str | None],
    edition: str,
    paid_from: date,
) -> None:
    history = BillingHistory(
        seat_events=events,
        edition_changes=[EditionChange(edition, at(2025, 12, 1))],
        app_subscriptions=subscriptions,
        billable_hours=billable,
    )
    draft = compute_invoice_draft(
        account(country=country[0], vat_id=country[1], paid_from=paid_from), history, MAR, TERMS
    )
    for line in draft.lines:
        assert two_places(line.amount)
        assert two_places(line.unit_price)
        assert line.quantity * line.unit_price == line.amount  # quantity × unit price is the amount
    assert all(two_places(x) for x in (draft.net, draft.vat, draft.total))
    assert draft.net == sum(line.amount for line in draft.lines)
    assert draft.vat == (draft.net * draft.vat_rate / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert draft.total == draft.net + draft.vat
    assert invoice_from_json(invoice_to_json(issue(draft))) == issue(draft)


@settings(max_examples=200, deadline=None)
@given(seat_events, st.sets(st.sampled_from(USER_IDS)), st.sampled_from([FEB, MAR, APR]))
def test_counting_is_monotone_in_events(events: list[SeatEvent], kept: set[str], month: BillingMonth) -> None:
    everyone = set(users_counted_in_month(events, month))
    fewer = set(users_counted_in_month([e for e in events if e.user_id in kept], month))
    # dropping users' events never adds a seat, and never removes someone else's
    assert fewer <= everyone
    assert {u for u in everyone if u.user_id in kept} == fewer
    # activating one more user at any moment of the month adds exactly that seat
    newcomer = SeatEvent("u-new", "Newcomer", True, month.start())
    assert set(users_counted_in_month([*events, newcomer], month)) == everyone | {("u-new", "Newcomer")}


@settings(max_examples=100, deadline=None)
@given(seat_events, st.sets(st.sampled_from(USER_IDS)), editions)
def test_fewer_users_never_cost_more(events: list[SeatEvent], kept: set[str], edition: str) -> None:
    changes = [EditionChange(edition, at(2025, 12, 1))]
    all_draft = compute_invoice_draft(account(), BillingHistory(events, changes), MAR, TERMS)
    fewer_draft = compute_invoice_draft(
        account(), BillingHistory([e for e in events if e.user_id in kept], changes), MAR, TERMS
    )
    assert fewer_draft.total <= all_draft.total
    if len(fewer_draft.lines[0].user_names) < len(all_draft.lines[0].user_names):
        assert fewer_draft.total < all_draft.total
