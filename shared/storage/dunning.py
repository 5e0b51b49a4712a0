"""Dunning in storage (issue 18): the invoices due for a look, and the conditional writes of each step.

Every step is one transaction conditioned on the invoice still being owed (in the due index) and on the
`dunning_level` it was read with: two overlapping runs, or a re-run after a crash, decide the same and
only one commit passes; its mail is saved in the same transaction under an id made of invoice number
and level, so a reminder cannot exist twice. PynamoDB errors stay here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from shared.rules.clock import utc_iso
from shared.storage.db import ConditionFailed, Contended
from shared.storage.keys import billing as keys
from shared.storage.keys.accounts import ACCOUNT_SK
from shared.storage.models import Account, InvoiceDocument, OutboxMail, account_pk
from shared.storage.outbox import MailToStore, commit_with_mails, outbox_mail
from shared.storage.schedule import due_keys

# After suspension an invoice stays among the open items (the due index) but needs no more looks.
NEVER = "9999-12-31T00:00:00Z"


class DunningRaced(Exception):
    """The invoice was paid, written off or dunned by another run since it was read: nothing was written."""


def invoices_due_for_dunning(now: datetime, page_size: int = 200) -> Iterator[InvoiceDocument]:
    """Unpaid invoices whose next dunning look is due by `now`: reads only those (the due index, no Scan)."""
    for key in due_keys(keys.DUNNING_JOB):
        for item in InvoiceDocument.due_index.query(key, InvoiceDocument.due_at <= utc_iso(now), page_size=page_size):
            if isinstance(item, InvoiceDocument):
                yield item


def _as_read(invoice: InvoiceDocument) -> Any:
    level = InvoiceDocument.dunning_level
    unchanged = level.does_not_exist() if invoice.dunning_level is None else level == invoice.dunning_level
    return unchanged & InvoiceDocument.due_job.exists() & InvoiceDocument.written_off_at.does_not_exist()


def _commit(invoice: InvoiceDocument, write: Any, mails: list[OutboxMail], now: datetime) -> None:
    try:
        commit_with_mails(write, mails, now)
    except (ConditionFailed, Contended) as lost:
        raise DunningRaced(invoice.number) from lost


def _step(invoice: InvoiceDocument, level: int, look_again_at: str) -> Any:
    def write(tx: Any) -> None:
        tx.update(
            invoice,
            actions=[InvoiceDocument.dunning_level.set(level), InvoiceDocument.due_at.set(look_again_at)],
            condition=_as_read(invoice),
        )

    return write


def look_again_at(invoice: InvoiceDocument, moment: str, now: datetime) -> None:
    """Nothing to send yet: the invoice comes back to the job at `moment` (its next level's day)."""
    _commit(invoice, _step(invoice, int(invoice.dunning_level or 0), moment), [], now)


def remind(invoice: InvoiceDocument, level: int, next_look: str, mail: MailToStore, now: datetime) -> None:
    """Record that `level` levels were mailed, with the reminder, in one transaction."""
    _commit(invoice, _step(invoice, level, next_look), [outbox_mail(mail)], now)


def suspend(invoice: InvoiceDocument, level: int, mail: MailToStore, now: datetime) -> None:
    """Suspend the account for this invoice: the invoice's mark, the account's set and the notice, at once."""
    step = _step(invoice, level, NEVER)

    def write(tx: Any) -> None:
        step(tx)
        tx.update(
            Account(account_pk(invoice.account_id), ACCOUNT_SK),
            actions=[Account.suspended_by.add({invoice.number})],
            condition=Account.pk.exists(),
        )

    _commit(invoice, write, [outbox_mail(mail)], now)


def lift_suspension(tx: Any, invoice: InvoiceDocument) -> None:
    """In the booking that pays (or writes off) the invoice: it no longer keeps its account suspended."""
    tx.update(
        Account(account_pk(invoice.account_id), ACCOUNT_SK),
        actions=[Account.suspended_by.delete({invoice.number})],
        condition=Account.pk.exists(),
    )
