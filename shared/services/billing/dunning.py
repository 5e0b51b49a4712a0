"""The dunning job's use case (issue 18): remind unpaid invoices level by level, then suspend the account.

Load the invoices due for a look (the due index), decide with shared.rules.billing.dunning, compose the
mail in the account's language, commit invoice + mail (+ suspension) in one transaction conditioned on
what was read. A lost condition means another run, or a payment, got there first: skipped, never sent
twice. The store is a parameter so the decision is unit-tested with an in-memory fake.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from shared.jobs import JobResult, ProgressCallback
from shared.policy import Policy, get_policy
from shared.rules.billing.dunning import next_dunning_step
from shared.rules.billing.payments import DunningLevel, open_amount

JOB_NAME = "dunning"


class DunningRaced(Exception):
    """Raised by a store when its conditional write lost (paid, written off, or dunned by another run)."""


class DunningStore(Protocol):
    def invoices_due(self, now: datetime) -> Iterable[Any]: ...
    def get_account(self, account_id: str) -> Any: ...
    def look_again_at(self, invoice: Any, moment: str, now: datetime) -> None: ...
    def remind(self, invoice: Any, level: int, next_look: str, mail: Any, now: datetime) -> None: ...
    def suspend(self, invoice: Any, level: int, mail: Any, now: datetime) -> None: ...
    def compose(self, account: Any, template: str, mail_id: str, context: dict[str, Any], now: datetime) -> Any: ...


class DynamoDunningStore:
    """The store of the deployed job: shared/storage/dunning.py, and mails composed for the outbox."""

    def invoices_due(self, now: datetime) -> Iterable[Any]:
        from shared.storage.dunning import invoices_due_for_dunning

        return invoices_due_for_dunning(now)

    def get_account(self, account_id: str) -> Any:
        from shared.storage.accounts import get_account

        return get_account(account_id)

    def _raced(self, write: Any, *args: Any) -> None:
        from shared.storage import dunning

        try:
            write(*args)
        except dunning.DunningRaced as lost:
            raise DunningRaced(str(lost)) from lost

    def look_again_at(self, invoice: Any, moment: str, now: datetime) -> None:
        from shared.storage import dunning

        self._raced(dunning.look_again_at, invoice, moment, now)

    def remind(self, invoice: Any, level: int, next_look: str, mail: Any, now: datetime) -> None:
        from shared.storage import dunning

        self._raced(dunning.remind, invoice, level, next_look, mail, now)

    def suspend(self, invoice: Any, level: int, mail: Any, now: datetime) -> None:
        from shared.storage import dunning

        self._raced(dunning.suspend, invoice, level, mail, now)

    def compose(self, account: Any, template: str, mail_id: str, context: dict[str, Any], now: datetime) -> Any:
        from shared.mail.compose import compose_mail
        from shared.mail.context import mail_context

        return compose_mail(
            mail_id=mail_id,
            account_id=account.account_id,
            recipient=account.billing_email or account.admin_email,
            template=template,
            language=account.language,
            context=mail_context(account, get_policy(), **context),
            now=now,
        )


def _levels(policy: Policy) -> list[DunningLevel]:
    return [DunningLevel(level.name, level.days_after_due, level.fee) for level in policy.billing.dunning.levels]


def _moment(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"  # the due index's moments of open items are UTC midnights


def dun_invoice(store: DunningStore, invoice: Any, today: date, now: datetime, policy: Policy) -> str:
    """Do what is due for one invoice; the outcome's name ("reminded:<level>", "suspended", "waiting", …)."""
    document = invoice.document
    due_on = date.fromisoformat(document["due_on"])
    total, paid = Decimal(document["total"]), Decimal(invoice.paid_amount or "0")
    if paid >= total or invoice.written_off_at is not None:
        return "settled"  # left in the index by a crash between two writes: the booking takes it out
    step = next_dunning_step(
        _levels(policy),
        policy.billing.dunning.suspend_after_days,
        due_on,
        today,
        levels_sent=invoice.dunning_level or 0,
        suspended=False,
    )
    if step.action == "wait" and step.look_again_on is not None:
        store.look_again_at(invoice, _moment(step.look_again_on), now)
        return "waiting"
    if step.action == "done":
        return "suspended already"
    account = store.get_account(invoice.account_id)
    if account is None:
        return "no account"
    context = {
        "number": invoice.number,
        "total": document["total"],
        "open_amount": f"{open_amount(total, paid):.2f}",
        "currency": document["currency"],
        "due_on": document["due_on"],
    }
    if step.action == "suspend":
        mail = store.compose(account, "account_suspended", f"suspension-{invoice.number}", context, now)
        store.suspend(invoice, step.sent_after, mail, now)
        return "suspended"
    assert step.level is not None and step.look_again_on is not None
    fee = step.level.fee
    context |= {"fee": f"{fee:.2f}", "has_fee": fee > 0}
    mail = store.compose(account, step.level.name, f"dunning-{invoice.number}-{step.level.name}", context, now)
    store.remind(invoice, step.sent_after, _moment(step.look_again_on), mail, now)
    return f"reminded:{step.level.name}"


def run_dunning(
    now: datetime,
    progress: ProgressCallback | None = None,
    store: DunningStore | None = None,
    policy: Policy | None = None,
) -> JobResult:
    """One run of the dunning job over what the due index says is due; safe to run twice at once."""
    from shared.services.billing.accounts import today_in

    store = store or DynamoDunningStore()
    policy = policy or get_policy()
    today = today_in(now, policy)
    result = JobResult(JOB_NAME)
    for invoice in store.invoices_due(now):
        try:
            outcome = dun_invoice(store, invoice, today, now, policy)
        except DunningRaced:
            result.skipped += 1
            result.count("lost to another run or a payment")
            continue
        if outcome.startswith("reminded:") or outcome == "suspended":
            result.done += 1
        else:
            result.skipped += 1
        result.count(outcome)
        if progress is not None:
            progress(result.done + result.skipped, None)
    return result
