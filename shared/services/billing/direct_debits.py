"""SEPA B2B direct debit (issue 18): grant and revoke mandates, the pre-notification, pain.008 files.

Load via storage, check with shared.rules.billing.mandates, write one transaction. A file collects the
unpaid invoices due on one day of accounts with a live mandate; it is recorded with each invoice's
"collected" mark at once, so an invoice is never in two files. The file is built with `sepaxml`.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from shared.policy import get_policy
from shared.rules.billing.mandates import MandateData, check_mandate
from shared.storage import direct_debits as storage
from shared.storage.models import InvoiceDocument


class MandateConflict(Exception):
    """The reference is in use, or a mandate is live already; `field` names what to change."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NoMandate(Exception):
    """The account has no live mandate."""


class AccountNotFound(Exception):
    """No account has this id."""


class CollectionBusy(Exception):
    """An invoice of the day was collected, paid or written off while the file was made: nothing written."""


class NothingToCollect(Exception):
    """No unpaid, uncollected invoice of an account with a mandate is due on that day."""


def _masked(iban: str) -> str:
    return f"{iban[:4]}…{iban[-4:]}"  # enough for the customer to recognise the account, in JSON and mail


def mandate_view(mandate: Any) -> dict[str, Any]:
    return {
        "reference": mandate.reference,
        "iban": _masked(mandate.iban),
        "bic": mandate.bic,
        "signed_on": mandate.signed_on,
        "revoked": mandate.revoked_at is not None,
        "creditor_id": get_policy().billing.direct_debit.creditor_id,
    }


def grant_mandate(account_id: str, iban: str, bic: str, reference: str, signed_on: date, today: date,
                  now: datetime, granted_by: str) -> dict[str, Any]:
    from shared.storage.accounts import get_account

    if get_account(account_id) is None:
        raise AccountNotFound(account_id)
    data: MandateData = check_mandate(iban, bic, reference, signed_on, today)
    mandate = storage.new_mandate(
        account_id, iban=data.iban, bic=data.bic, reference=data.reference, signed_on=data.signed_on.isoformat(),
        granted_at=now, granted_by=granted_by,
    )
    try:
        storage.grant(mandate)
    except storage.ReferenceTaken as exc:
        raise MandateConflict("reference", "This mandate reference is in use.") from exc
    except storage.MandateActive as exc:
        raise MandateConflict("reference", "The account has a live mandate: revoke it first.") from exc
    return mandate_view(mandate)


def revoke_mandate(account_id: str, now: datetime) -> None:
    try:
        storage.revoke(account_id, now)
    except storage.NoMandate as exc:
        raise NoMandate(account_id) from exc


def live_mandate(account_id: str) -> Any | None:
    mandate = storage.mandate_of(account_id)
    return mandate if mandate is not None and mandate.revoked_at is None else None


def with_pre_notification(view: dict[str, Any], invoice: InvoiceDocument, mandate: Any | None) -> dict[str, Any]:
    """The invoice JSON with its pre-notification while something is owed and the account has a live
    mandate: amount, collection day (the due date), mandate reference, our creditor id."""
    if mandate is None or view["payment_state"]["state"] in ("paid", "written_off"):
        return view
    notice = {
        "amount": view["payment_state"]["open"],
        "currency": invoice.document["currency"],
        "collection_on": invoice.document["due_on"],
        "mandate_reference": mandate.reference,
        "creditor_id": get_policy().billing.direct_debit.creditor_id,
        "iban": _masked(mandate.iban),
        "collected": invoice.collected_in is not None,
    }
    return {**view, "direct_debit": notice}


def _pain008(collection_on: date, debits: list[tuple[InvoiceDocument, Any, Any]]) -> str:
    from sepaxml import SepaDD

    policy = get_policy()
    config = {
        "name": policy.seller.name,
        "IBAN": policy.billing.direct_debit.creditor_iban,
        "BIC": policy.billing.direct_debit.creditor_bic,
        "batch": True,
        "creditor_id": policy.billing.direct_debit.creditor_id,
        "currency": policy.billing.currency,
        "instrument": "B2B",
    }
    sepa = SepaDD(config, schema="pain.008.001.02", clean=True)
    for invoice, mandate, account in debits:
        sepa.add_payment({
            "name": account.company_name,
            "IBAN": mandate.iban,
            "BIC": mandate.bic,
            "amount": int((Decimal(invoice.document["total"]) * 100).to_integral_value()),
            "type": "RCUR",
            "collection_date": collection_on,
            "mandate_id": mandate.reference,
            "mandate_date": date.fromisoformat(mandate.signed_on),
            "description": f"Cocoon {invoice.number}",
            "endtoend_id": invoice.number,  # a return names it: the statement import finds the invoice
        })
    return str(sepa.export(validate=True, pretty_print=True).decode("utf-8"))


def create_collection(collection_on: date, now: datetime) -> dict[str, Any]:
    """A pain.008 file of what is due on `collection_on`; invoices beyond one file wait for the next call."""
    from shared.storage.accounts import get_account

    limit = get_policy().billing.direct_debit.max_debits_per_file
    debits: list[tuple[InvoiceDocument, Any, Any]] = []
    for invoice in storage.invoices_due_on(collection_on.isoformat()):
        if invoice.collected_in is not None or invoice.written_off_at is not None:
            continue
        mandate = live_mandate(invoice.account_id)
        account = get_account(invoice.account_id) if mandate is not None else None
        if mandate is not None and account is not None:
            debits.append((invoice, mandate, account))
        if len(debits) == limit:
            break
    if not debits:
        raise NothingToCollect(collection_on.isoformat())
    debits.sort(key=lambda debit: debit[0].number)
    numbers = [invoice.number for invoice, _, _ in debits]
    # The same invoices as booked now give the same id (a retried request records one file); after a
    # returned debit the invoice's payment version differs, so collecting it again is a new file.
    versions = [f"{invoice.number}:{invoice.payment_version or 0}" for invoice, _, _ in debits]
    file_id = hashlib.sha256("\x00".join([collection_on.isoformat(), *versions]).encode()).hexdigest()[:20]
    total = sum((Decimal(invoice.document["total"]) for invoice, _, _ in debits), Decimal(0))
    file = storage.new_file(
        collection_on.isoformat(), file_id, created_at=now, invoices=len(debits), total=f"{total:.2f}",
        xml=_pain008(collection_on, debits),
    )
    try:
        storage.record_collection(file, [invoice for invoice, _, _ in debits])
    except storage.CollectionRaced as exc:
        raise CollectionBusy(file_id) from exc
    return {"file_id": file_id, "collection_on": collection_on.isoformat(), "invoices": numbers,
            "total": f"{total:.2f}"}


def collection_file(collection_on: date, file_id: str) -> str | None:
    file = storage.find_file(collection_on.isoformat(), file_id)
    return None if file is None else file.xml
