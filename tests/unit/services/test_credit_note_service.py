"""Issuing a credit note with an in-memory store: one commit per credit, a lost race is decided again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from shared.rules.billing import BillingMonth, InvoiceDraft, InvoiceLine, Party, issue_invoice
from shared.rules.billing.credit_notes import CreditedSoFar
from shared.services.billing.credit_notes import CreditRefused, CreditRequest, InvoiceNotFound, issue_credit_note
from shared.storage.credit_notes import CreditRace, InvoiceCredits
from shared.storage.invoice_json import invoice_to_json

NOW = datetime(2026, 4, 10, 8, tzinfo=UTC)


def invoice_document() -> dict[str, Any]:
    line = InvoiceLine("seats", "2 users × Team", Decimal(2), Decimal("24.00"), Decimal("48.00"), "MON", "why")
    party = Party("Müller GmbH", "Hauptstraße 5", "80331", "München", "DE")
    draft = InvoiceDraft(
        "acc_1", BillingMonth(2026, 3), date(2026, 3, 1), date(2026, 3, 31), (line,), Decimal("48.00"),
        Decimal("19.00"), Decimal("9.12"), Decimal("57.12"), "EUR", "domestic", "S", None, None, (), party, party,
        "de", (),
    )  # fmt: skip
    return invoice_to_json(
        issue_invoice(draft, number="2026-000001", issued_on=date(2026, 4, 1), payment_terms_days=14)
    )


@dataclass
class FakeCreditNotes:
    """The invoice, its ledger and the year's counter in memory; `rivals` commits someone else's credit first."""

    credited: CreditedSoFar = field(default_factory=lambda: CreditedSoFar(lines={}))
    version: int = 0
    sequence: int = 0
    commits: list[dict[str, Any]] = field(default_factory=list)
    rivals: list[Decimal] = field(default_factory=list)

    def invoice(self, account_id: str, number: str) -> dict[str, Any] | None:
        return invoice_document() if (account_id, number) == ("acc_1", "2026-000001") else None

    def account(self, account_id: str) -> Any:
        return SimpleNamespace(account_id=account_id)

    def credits_of(self, account_id: str, invoice_number: str) -> InvoiceCredits:
        return InvoiceCredits(self.credited, self.version, ())

    def last_sequence(self, year: int) -> int:
        return self.sequence

    def mail(self, account: Any, document: dict[str, Any], now: datetime) -> Any:
        return ("mail", document["number"])

    def commit(self, **change: Any) -> None:
        if self.rivals:  # another staff member's credit commits between our read and our write
            amount = self.rivals.pop()
            self.credited = CreditedSoFar(lines={0: self.credited.lines.get(0, Decimal(0)) + amount})
            self.version += 1
            self.sequence += 1
        if change["before"].version != self.version or change["sequence"] != self.sequence + 1:
            raise CreditRace(change["document"]["number"])
        self.commits.append(change)
        self.credited, self.version, self.sequence = change["after"], self.version + 1, change["sequence"]


def test_a_credit_is_one_commit_with_its_mail() -> None:
    store = FakeCreditNotes()
    note = issue_credit_note("acc_1", "2026-000001", CreditRequest("storniert"), NOW, store)
    assert note["number"] == "G2026-000001" and note["total"] == "-57.12"
    assert [c["mail"] for c in store.commits] == [("mail", "G2026-000001")]


def test_a_lost_race_is_decided_again_on_what_is_left() -> None:
    store = FakeCreditNotes(rivals=[Decimal("40.00")])
    with pytest.raises(CreditRefused, match=r"only 8\.00") as refused:
        issue_credit_note("acc_1", "2026-000001", CreditRequest("x", {1: Decimal("10.00")}), NOW, store)
    assert refused.value.field == "lines.1.amount" and store.commits == []
    store = FakeCreditNotes(rivals=[Decimal("40.00")])
    note = issue_credit_note("acc_1", "2026-000001", CreditRequest("x", {1: Decimal("8.00")}), NOW, store)
    assert note["number"] == "G2026-000002"  # the rival took G2026-000001


def test_an_unknown_invoice_is_not_found() -> None:
    with pytest.raises(InvoiceNotFound):
        issue_credit_note("acc_2", "2026-000001", CreditRequest("x"), NOW, FakeCreditNotes())
