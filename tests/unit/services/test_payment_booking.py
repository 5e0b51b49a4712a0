"""Booking payments (shared/services/billing/payments.py) against an in-memory store: no database.

The fake keeps invoices and booked payments in dicts and, like the real store, refuses a payment id
booked before and a booking on an invoice changed since it was read (`payment_version`). The real
store is exercised by tests/functional/test_payments.py and the camt.053 tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from shared.banking.camt import Statement, StatementEntry
from shared.rules.billing.payments import PaymentRefused
from shared.services.billing import payments
from shared.storage import payments as real

NOW = datetime(2026, 4, 10, 10, 0, tzinfo=UTC)


@dataclass
class FakePaymentStore:
    invoices: dict[str, Any] = field(default_factory=dict)
    booked: dict[str, Any] = field(default_factory=dict)
    races: int = 0  # the next N bookings lose to another booking of 1.00 on the same invoice
    statements: set[str] = field(default_factory=set)
    unmatched: list[Any] = field(default_factory=list)
    AlreadyBooked = real.AlreadyBooked
    BookingRaced = real.BookingRaced
    StatementExists = real.StatementExists

    def add(self, number: str, total: str) -> None:
        self.invoices[number] = SimpleNamespace(
            number=number, account_id="acc_1", document={"total": total, "due_on": "2026-04-15", "currency": "EUR"},
            paid_amount=None, written_off_at=None, payment_version=None, issued_on="2026-04-01", dunning_level=None,
        )

    def find_payable(self, number: str) -> Any:
        stored = self.invoices.get(number)
        return None if stored is None else SimpleNamespace(**vars(stored))  # what was read, not the live item

    def reread(self, invoice: Any) -> Any:
        return SimpleNamespace(**vars(self.invoices[invoice.number]))

    def paid_so_far(self, invoice: Any) -> Decimal:
        return Decimal(invoice.paid_amount or "0")

    def new_payment(self, invoice: Any, payment_id: str, amount: Decimal, kind: str, now: datetime) -> Any:
        return SimpleNamespace(number=invoice.number, payment_id=payment_id, amount=f"{amount:f}", kind=kind)

    def book(self, invoice: Any, payment: Any, *, settled: bool, credit: Any = None) -> None:
        stored = self.invoices[invoice.number]
        if self.races:
            self.races -= 1
            stored.paid_amount = f"{self.paid_so_far(stored) + 1:f}"
            stored.payment_version = (stored.payment_version or 0) + 1
        if payment.payment_id in self.booked:
            raise real.AlreadyBooked(payment.payment_id)
        if stored.payment_version != invoice.payment_version:
            raise real.BookingRaced(invoice.number)
        self.booked[payment.payment_id] = payment
        stored.paid_amount = f"{self.paid_so_far(stored) + Decimal(payment.amount):f}"
        stored.payment_version = (stored.payment_version or 0) + 1

    def statement_imported(self, statement_id: str) -> bool:
        return statement_id in self.statements

    def mark_statement_imported(self, statement_id: str, *args: Any) -> None:
        self.statements.add(statement_id)

    def new_unmatched_credit(self, statement_id: str, reference: str, **fields: Any) -> Any:
        return SimpleNamespace(statement_id=statement_id, reference=reference, **fields)

    def keep_unmatched(self, credit: Any) -> None:
        self.unmatched.append(credit)


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> FakePaymentStore:
    fake = FakePaymentStore()
    monkeypatch.setattr(payments, "storage", fake)
    fake.add("2026-000001", "100.00")
    return fake


def test_the_same_payment_id_books_once(store: FakePaymentStore) -> None:
    for _ in range(2):
        view = payments.record_payment("2026-000001", Decimal("30.00"), "cheque-1", NOW, "staff_1", None)
    assert view["payment_state"]["paid"] == "30.00" and list(store.booked) == ["manual-cheque-1"]


def test_a_lost_race_is_decided_again_on_what_is_now_owed(store: FakePaymentStore) -> None:
    store.races = 1  # someone booked 1.00 meanwhile: 99.00 are owed, a payment of 100.00 is now too much
    with pytest.raises(PaymentRefused) as refused:
        payments.record_payment("2026-000001", Decimal("100.00"), "k", NOW, "staff_1", None)
    assert refused.value.field == "amount"
    assert store.booked == {}


def test_over_the_open_amount_is_refused_naming_the_field(store: FakePaymentStore) -> None:
    payments.record_payment("2026-000001", Decimal("60.00"), "a", NOW, "staff_1", None)
    with pytest.raises(PaymentRefused) as refused:
        payments.record_payment("2026-000001", Decimal("40.01"), "b", NOW, "staff_1", None)
    assert refused.value.field == "amount"


def test_a_statement_books_matched_credits_and_lists_the_rest(store: FakePaymentStore) -> None:
    def entry(reference: str, amount: str, remittance: str) -> StatementEntry:
        return StatementEntry(reference=reference, amount=Decimal(amount), currency="EUR", credit=True,
                              reversal=False, booked_on=date(2026, 4, 9), remittance=remittance,
                              end_to_end_id="NOTPROVIDED", return_reason="")

    statement = Statement("S1", (entry("E1", "100.00", "Rechnung 2026-000001"), entry("E2", "5.00", "?")))
    result = payments.import_statement(statement, NOW)
    assert (result["matched"], result["unmatched"]) == (["E1"], ["E2"])
    assert store.invoices["2026-000001"].paid_amount == "100.00"
    with pytest.raises(payments.DuplicateStatement):
        payments.import_statement(statement, NOW)
