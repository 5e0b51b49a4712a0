"""An account's invoices as documents, one as EN 16931 XML, and the running month's preview.

The HTTP edge (functions/billing.py) checks the caller's scope and maps these errors to answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.derived import billing_terms
from shared.policy import get_policy
from shared.rules.billing import BillingError, month_to_date_preview
from shared.services.billing.accounts import today_in
from shared.storage import billing as storage
from shared.storage.invoice_json import draft_to_json, invoice_from_json


class NoSubscription(Exception):
    """The account has chosen no edition yet: there is nothing a preview could price."""


class NothingToPreview(Exception):
    """No edition is held on the day asked (e.g. time travel to before the first choice)."""

    def __init__(self, message: str, day: str) -> None:
        super().__init__(message)
        self.day = day


def invoice_documents(account_id: str, now: datetime) -> list[dict[str, Any]]:
    """The account's issued documents, newest first, each with its `payment_state` and its credit notes."""
    from shared.services.billing.credit_notes import credit_notes_by_invoice
    from shared.services.billing.direct_debits import live_mandate, with_pre_notification
    from shared.services.billing.payments import with_payment_state

    today = today_in(now, get_policy())
    invoices = sorted(storage.list_invoices(account_id), key=lambda item: item.number, reverse=True)
    credits = credit_notes_by_invoice(account_id)
    mandate = live_mandate(account_id) if invoices else None  # SEPA direct debit: one read per account
    shown = [with_pre_notification(with_payment_state(item, today), item, mandate) for item in invoices]
    pairs = zip(shown, invoices, strict=True)
    return [{**document, "credit_notes": credits.get(item.number, [])} for document, item in pairs]


def invoice_document(account_id: str, number: str, now: datetime) -> dict[str, Any] | None:
    """One issued document of the account with its `payment_state`, credit notes and direct debit, or None
    (another account's is not found)."""
    from shared.services.billing.credit_notes import credit_notes_by_invoice
    from shared.services.billing.direct_debits import live_mandate, with_pre_notification
    from shared.services.billing.payments import with_payment_state

    item = storage.find_invoice(account_id, number)
    if item is None:
        return None
    paid = with_payment_state(item, today_in(now, get_policy()))
    document = with_pre_notification(paid, item, live_mandate(account_id))
    return {**document, "credit_notes": credit_notes_by_invoice(account_id).get(number, [])}


def invoice_xml(document: dict[str, Any]) -> str:
    """The document as EN 16931 XML (Factur-X CII); factur-x is imported only here."""
    from shared.rules.billing.einvoice import invoice_to_en16931_xml

    return invoice_to_en16931_xml(invoice_from_json(document)).decode("utf-8")


def issued_document(account_id: str, number: str) -> dict[str, Any] | None:
    """The invoice exactly as issued (no payment state: what its PDF shows never changes), or None."""
    item = storage.find_invoice(account_id, number)
    return None if item is None else dict(item.document)


def invoice_pdf(document: dict[str, Any]) -> bytes:
    """The document as PDF/A-3 with exactly the XML ``invoice_xml`` serves embedded (ZUGFeRD / Factur-X).

    Rendered on demand (the GET and the mail job), never by the nightly billing: see bench_invoice_pdf.py.
    """
    from shared.documents.invoice_pdf import invoice_pdf as render

    return render(invoice_from_json(document), invoice_xml(document).encode("utf-8"))


def invoice_preview(account_id: str, now: datetime) -> dict[str, Any] | None:
    """The running month so far as JSON; None when the account does not exist.

    Raises NoSubscription before an edition is chosen and NothingToPreview when none is held today.
    """
    snapshot = storage.load_snapshot(account_id)
    if snapshot is None:
        return None
    if snapshot.account.paid_from is None:
        raise NoSubscription(account_id)
    today = today_in(now, get_policy())
    try:
        buyer = storage.billing_account(snapshot.account)
        draft = month_to_date_preview(buyer, snapshot.history, today, billing_terms())
    except BillingError as exc:
        raise NothingToPreview(str(exc), today.isoformat()) from exc
    return draft_to_json(draft)
