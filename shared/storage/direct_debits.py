"""SEPA direct debit in storage (issue 18): mandates, their references, pain.008 files and what they collect.

A mandate and its reference are written in one transaction (a reference in use elsewhere refuses it);
a file is recorded in the transaction that marks each of its invoices collected, conditioned on none
being collected, paid or written off meanwhile: an invoice is collected once. PynamoDB errors stay here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from shared.storage.db import ConditionFailed, Contended, transaction
from shared.storage.keys import billing as keys
from shared.storage.models import CocoonItem, InvoiceDocument, account_pk
from shared.storage.payment_models import DirectDebitFile, MandateReference, SepaMandate
from shared.storage.schedule import due_keys

DIRECT_DEBIT_FILES_LOOKUP = "DIRECT_DEBIT_FILE"


class ReferenceTaken(Exception):
    """Another mandate has this reference."""


class MandateActive(Exception):
    """The account has a mandate that is not revoked: revoke it first."""


class NoMandate(Exception):
    """The account has no mandate to revoke."""


class CollectionRaced(Exception):
    """An invoice of the file was collected, paid or written off meanwhile: nothing was written."""


def mandate_of(account_id: str) -> SepaMandate | None:
    try:
        return SepaMandate.get(account_pk(account_id), keys.MANDATE_SK, consistent_read=True)
    except SepaMandate.DoesNotExist:
        return None


def new_mandate(account_id: str, **fields: Any) -> SepaMandate:
    return SepaMandate(account_pk(account_id), keys.MANDATE_SK, account_id=account_id, **fields)


def grant(mandate: SepaMandate) -> None:
    reservation = MandateReference(
        keys.mandate_reference_pk(mandate.reference), keys.MANDATE_REFERENCE_SK, account_id=mandate.account_id
    )
    try:
        with transaction() as tx:
            tx.save(reservation, condition=CocoonItem.pk.does_not_exist())
            tx.save(mandate, condition=SepaMandate.pk.does_not_exist() | SepaMandate.revoked_at.exists())
    except ConditionFailed as lost:
        if (reservation.pk, reservation.sk) in lost.refused:
            raise ReferenceTaken(mandate.reference) from lost
        raise MandateActive(mandate.account_id) from lost
    except Contended as lost:
        raise MandateActive(mandate.account_id) from lost


def revoke(account_id: str, now: datetime) -> None:
    mandate = SepaMandate(account_pk(account_id), keys.MANDATE_SK)
    try:
        with transaction() as tx:
            tx.update(
                mandate,
                actions=[SepaMandate.revoked_at.set(now)],
                condition=SepaMandate.pk.exists() & SepaMandate.revoked_at.does_not_exist(),
            )
    except (ConditionFailed, Contended) as lost:
        raise NoMandate(account_id) from lost


def invoices_due_on(collection_on: str) -> Iterator[InvoiceDocument]:
    """Unpaid invoices due on that day not yet dunned (the due index at the day's moment; no Scan)."""
    moment = f"{collection_on}T00:00:00Z"
    for key in due_keys(keys.DUNNING_JOB):
        for item in InvoiceDocument.due_index.query(key, InvoiceDocument.due_at == moment):
            if isinstance(item, InvoiceDocument):
                yield item


def record_collection(file: DirectDebitFile, invoices: list[InvoiceDocument]) -> None:
    """The file and each invoice's mark "collected in it", at once."""
    file.lookup_key = DIRECT_DEBIT_FILES_LOOKUP
    try:
        with transaction() as tx:
            tx.save(file, condition=CocoonItem.pk.does_not_exist())
            for invoice in invoices:
                tx.update(
                    invoice,
                    actions=[InvoiceDocument.collected_in.set(file.file_id)],
                    condition=InvoiceDocument.collected_in.does_not_exist()
                    & InvoiceDocument.due_job.exists()
                    & InvoiceDocument.written_off_at.does_not_exist(),
                )
    except (ConditionFailed, Contended) as lost:
        raise CollectionRaced(file.file_id) from lost


def new_file(collection_on: str, file_id: str, **fields: Any) -> DirectDebitFile:
    return DirectDebitFile(
        keys.direct_debit_pk(collection_on), keys.direct_debit_sk(file_id), file_id=file_id,
        collection_on=collection_on, **fields,
    )


def find_file(collection_on: str, file_id: str) -> DirectDebitFile | None:
    try:
        return DirectDebitFile.get(keys.direct_debit_pk(collection_on), keys.direct_debit_sk(file_id))
    except DirectDebitFile.DoesNotExist:
        return None


def reopen_collected(invoice: InvoiceDocument) -> None:
    """A returned debit: the invoice may be collected again (its return is booked as a payment item)."""
    from pynamodb.exceptions import UpdateError

    with contextlib.suppress(UpdateError):  # the return is booked already; a mark left is retried by the next
        invoice.update(actions=[InvoiceDocument.collected_in.remove()], condition=InvoiceDocument.pk.exists())
