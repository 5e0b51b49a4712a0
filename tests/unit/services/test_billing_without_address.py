"""Billing of an account without its billing address (issue 17), against an in-memory store: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from shared.derived import billing_terms
from shared.rules.billing import BillingHistory, EditionChange, SeatEvent
from shared.services.billing.accounts import account_bill
from shared.storage.billing import BillingSnapshot
from shared.storage.models import Account

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 6, 1)
ADDRESS = {"street": "Hauptstraße 5", "postcode": "70173", "city": "Stuttgart"}


def _snapshot(billed: set[str] | None = None, **address: str) -> BillingSnapshot:
    start = datetime(2025, 12, 1, tzinfo=BERLIN)
    account = Account(
        "ACCOUNT#a1", "ACCOUNT", account_id="a1", company_name="Acme GmbH", country="DE", state="customer",
        organization_type="company", paid_from="2026-01-01", language="en", **address,
    )  # fmt: skip
    history = BillingHistory(
        seat_events=[SeatEvent("u1", "Ada", True, start)], edition_changes=[EditionChange("team", start)]
    )
    return BillingSnapshot(account, history, billed or set())


def test_an_account_with_its_address_is_billed_for_every_ended_month() -> None:
    bill = account_bill(_snapshot(**ADDRESS), TODAY, billing_terms())
    assert [str(draft.month) for draft in bill.drafts] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert not bill.asks_for_address


def test_without_a_part_of_the_address_nothing_is_invoiced_and_the_account_is_asked_for_it() -> None:
    for missing in ADDRESS:
        partial = {key: value for key, value in ADDRESS.items() if key != missing}
        bill = account_bill(_snapshot(**partial), TODAY, billing_terms())
        assert bill.drafts == ()
        assert bill.asks_for_address
        assert bill.cursor_due_at == datetime(2026, 7, 1, tzinfo=BERLIN)  # the cursor moves as for anyone
        assert bill.items == 2  # the reminder and the cursor: one transaction


def test_nothing_due_means_no_reminder_even_without_an_address() -> None:
    billed = {"2026-01", "2026-02", "2026-03", "2026-04", "2026-05"}
    bill = account_bill(_snapshot(billed), TODAY, billing_terms())
    assert bill.drafts == () and not bill.asks_for_address
    assert datetime(2026, 6, 1, 1, tzinfo=UTC) < bill.cursor_due_at  # type: ignore[operator]
