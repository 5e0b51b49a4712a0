"""The dunning decision and its use case (shared/rules/billing/dunning.py, shared/services/billing/dunning.py)
against an in-memory store: no database. The real store is exercised by tests/functional/test_dunning*.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from shared.policy import Policy, get_policy
from shared.rules.billing.dunning import next_dunning_step
from shared.rules.billing.payments import DunningLevel
from shared.services.billing.dunning import DunningRaced, run_dunning

LEVELS = [DunningLevel("payment_reminder", 7, Decimal(0)), DunningLevel("second_reminder", 21, Decimal("5.00")),
          DunningLevel("final_notice", 35, Decimal(0))]
DUE = date(2026, 4, 15)


def step(today: date, sent: int, suspended: bool = False) -> tuple[str, int, str | None, date | None]:
    decided = next_dunning_step(LEVELS, 45, DUE, today, levels_sent=sent, suspended=suspended)
    return decided.action, decided.sent_after, decided.level.name if decided.level else None, decided.look_again_on


@pytest.mark.parametrize(("today", "sent", "expected"), [
    (date(2026, 4, 15), 0, ("wait", 0, None, date(2026, 4, 22))),
    (date(2026, 4, 21), 0, ("wait", 0, None, date(2026, 4, 22))),
    (date(2026, 4, 22), 0, ("remind", 1, "payment_reminder", date(2026, 5, 6))),
    (date(2026, 4, 22), 1, ("wait", 1, None, date(2026, 5, 6))),
    (date(2026, 5, 6), 1, ("remind", 2, "second_reminder", date(2026, 5, 20))),
    (date(2026, 5, 20), 2, ("remind", 3, "final_notice", date(2026, 5, 30))),
    (date(2026, 5, 29), 3, ("wait", 3, None, date(2026, 5, 30))),
    (date(2026, 5, 30), 3, ("suspend", 4, None, None)),
    (date(2026, 7, 1), 4, ("done", 4, None, None)),
    # late: only the highest level; the final notice first, the suspension a day later at the earliest
    (date(2026, 5, 25), 0, ("remind", 3, "final_notice", date(2026, 5, 30))),
    (date(2026, 6, 30), 0, ("remind", 3, "final_notice", date(2026, 7, 1))),
    (date(2026, 6, 30), 1, ("remind", 3, "final_notice", date(2026, 7, 1))),
])
def test_the_next_step(today: date, sent: int, expected: tuple[Any, ...]) -> None:
    assert step(today, sent) == expected


def test_a_suspended_invoice_needs_nothing_more() -> None:
    assert step(date(2026, 9, 1), 3, suspended=True)[0] == "done"


@dataclass
class FakeDunningStore:
    """Invoices in a dict; commits recorded; `lose` makes the next conditional write lose to another run."""

    invoices: dict[str, Any] = field(default_factory=dict)
    commits: list[tuple[str, str, Any]] = field(default_factory=list)
    mails: dict[str, Any] = field(default_factory=dict)
    lose: set[str] = field(default_factory=set)

    def add(self, number: str, total: str = "100.00", paid: str | None = None, level: int | None = None) -> None:
        document = {"due_on": DUE.isoformat(), "total": total, "currency": "EUR"}
        self.invoices[number] = SimpleNamespace(
            number=number, account_id="acc_1", document=document, paid_amount=paid, written_off_at=None,
            dunning_level=level, due_at=f"{DUE}T00:00:00Z",
        )

    def invoices_due(self, now: datetime) -> list[Any]:
        return [i for i in self.invoices.values() if i.due_at <= now.strftime("%Y-%m-%dT%H:%M:%SZ")]

    def get_account(self, account_id: str) -> Any:
        return SimpleNamespace(account_id=account_id, language="de")

    def _write(self, invoice: Any, what: str, level: int, due_at: str) -> None:
        if invoice.number in self.lose:
            self.lose.discard(invoice.number)
            invoice.dunning_level, invoice.due_at = level, due_at  # the other run's commit
            raise DunningRaced(invoice.number)
        invoice.dunning_level, invoice.due_at = level, due_at
        self.commits.append((what, invoice.number, level))

    def look_again_at(self, invoice: Any, moment: str, now: datetime) -> None:
        self._write(invoice, "look", invoice.dunning_level or 0, moment)

    def remind(self, invoice: Any, level: int, next_look: str, mail: Any, now: datetime) -> None:
        self._write(invoice, "remind", level, next_look)
        assert mail["id"] not in self.mails
        self.mails[mail["id"]] = mail

    def suspend(self, invoice: Any, level: int, mail: Any, now: datetime) -> None:
        self._write(invoice, "suspend", level, "9999-12-31T00:00:00Z")
        self.mails[mail["id"]] = mail

    def compose(self, account: Any, template: str, mail_id: str, context: dict[str, Any], now: datetime) -> Any:
        return {"id": mail_id, "template": template, "language": account.language, **context}


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T08:00:00").replace(tzinfo=UTC)


def test_the_job_reminds_names_the_number_and_the_open_amount_and_the_fee_where_the_policy_has_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = FakeDunningStore()
    store.add("2026-000001", paid="40.00")
    store.add("2026-000002", paid="100.00")  # paid: left in the index by a crash, never reminded
    result = run_dunning(at("2026-04-22"), store=store)
    assert result.details == {"reminded:payment_reminder": 1, "settled": 1}
    mail = store.mails["dunning-2026-000001-payment_reminder"]
    assert (mail["number"], mail["open_amount"], mail["has_fee"], mail["language"]) == ("2026-000001", "60.00", False, "de")
    assert run_dunning(at("2026-04-22"), store=store).done == 0
    run_dunning(at("2026-05-06"), store=store, policy=with_fee(Decimal("5.00")))
    second = store.mails["dunning-2026-000001-second_reminder"]
    assert (second["fee"], second["has_fee"]) == ("5.00", True)


def with_fee(fee: Decimal) -> Policy:
    """The policy with a fee on the second level (the shipped one charges none)."""
    policy = get_policy()
    dunning = policy.billing.dunning
    levels = tuple(level.model_copy(update={"fee": fee}) if n == 1 else level for n, level in enumerate(dunning.levels))
    billing = policy.billing.model_copy(update={"dunning": dunning.model_copy(update={"levels": levels})})
    return policy.model_copy(update={"billing": billing})


def test_a_lost_race_is_skipped_and_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FakeDunningStore()
    store.add("2026-000001")
    store.lose.add("2026-000001")
    result = run_dunning(at("2026-04-22"), store=store)
    assert (result.done, result.skipped, store.mails) == (0, 1, {})
    assert run_dunning(at("2026-04-22"), store=store).done == 0  # the other run sent it: nothing twice


def test_suspension_after_the_last_level_and_then_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FakeDunningStore()
    store.add("2026-000001", level=3)
    assert run_dunning(at("2026-05-30"), store=store).details == {"suspended": 1}
    assert store.mails["suspension-2026-000001"]["template"] == "account_suspended"
    assert run_dunning(at("2026-12-30"), store=store).details == {}
