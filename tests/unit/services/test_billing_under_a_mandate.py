"""Which mandate billing records in the invoices it issues (shared/services/billing/accounts.py), without a database.

The live mandate of the account's own partition, with our creditor id; a revoked one, or no creditor id,
gives none (the invoice then asks for a credit transfer). The real store: tests/functional/test_invoice_direct_debit.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from shared.derived import billing_terms
from shared.rules.billing import BillingHistory, DirectDebitMandate, EditionChange, SeatEvent
from shared.rules.billing.mandates import mandate_for_invoice
from shared.services.billing.accounts import account_bill
from shared.storage.billing import BillingSnapshot
from shared.storage.models import Account
from shared.storage.payment_models import SepaMandate

TODAY = date(2026, 6, 1)
CREDITOR_ID = "DE98ZZZ09999999999"
IBAN = "DE89370400440532013000"


def _account(account_id: str, paid_from: str) -> Account:
    return Account(
        f"ACCOUNT#{account_id}", "ACCOUNT", account_id=account_id, company_name="Acme GmbH", country="DE",
        state="active", paid_from=paid_from, language="en", street="Hauptstraße 5", postcode="70173",
        city="Stuttgart",
    )  # fmt: skip


def _history() -> BillingHistory:
    start = datetime(2025, 12, 1, tzinfo=ZoneInfo("Europe/Berlin"))
    return BillingHistory(seat_events=[SeatEvent("u1", "Ada", True, start)], edition_changes=[EditionChange("team", start)])


def _mandate(revoked: bool = False) -> SepaMandate:
    return SepaMandate(
        "ACCOUNT#a1", "MANDATE", account_id="a1", iban=IBAN, bic="COBADEFFXXX", reference="COCOON-M-1",
        signed_on="2026-01-02", granted_at=datetime(2026, 1, 2, tzinfo=UTC), granted_by="tenant",
        revoked_at=datetime(2026, 5, 20, tzinfo=UTC) if revoked else None,
    )  # fmt: skip


def _bill_with(mandate: SepaMandate | None, creditor_id: str = CREDITOR_ID) -> DirectDebitMandate | None:
    snapshot = BillingSnapshot(_account("a1", "2026-04-01"), _history(), mandate=mandate)
    bill = account_bill(snapshot, TODAY, billing_terms(), creditor_id)
    assert [str(draft.month) for draft in bill.drafts] == ["2026-04", "2026-05"]
    return bill.direct_debit


def test_a_live_mandate_is_recorded_with_our_creditor_id() -> None:
    assert _bill_with(_mandate()) == DirectDebitMandate("COCOON-M-1", CREDITOR_ID, IBAN)


@pytest.mark.parametrize(("mandate", "creditor_id"), [(None, CREDITOR_ID), (_mandate(revoked=True), CREDITOR_ID),
                                                      (_mandate(), "")])
def test_no_live_mandate_or_no_creditor_id_means_a_credit_transfer(
    mandate: SepaMandate | None, creditor_id: str
) -> None:
    assert _bill_with(mandate, creditor_id) is None


def test_the_rule_is_fail_closed() -> None:
    assert mandate_for_invoice("REF", IBAN, revoked=False, creditor_identifier=CREDITOR_ID) is not None
    assert mandate_for_invoice("", IBAN, revoked=False, creditor_identifier=CREDITOR_ID) is None
    assert mandate_for_invoice("REF", "", revoked=False, creditor_identifier=CREDITOR_ID) is None
    assert DirectDebitMandate("REF", CREDITOR_ID, IBAN).account_ending == "3000"


def test_the_stored_document_keeps_the_mandate_and_a_credit_note_never_carries_one() -> None:
    from shared.rules.billing import BillingMonth, compute_invoice_draft, credit_note_for, issue_invoice
    from shared.storage.billing import billing_account
    from shared.storage.invoice_json import invoice_from_json, invoice_to_json

    buyer = billing_account(_account("a1", "2026-04-01"))
    draft = compute_invoice_draft(buyer, _history(), BillingMonth(2026, 4), billing_terms())
    mandate = DirectDebitMandate("COCOON-M-1", CREDITOR_ID, IBAN)
    invoice = issue_invoice(draft, number="2026-000001", issued_on=TODAY, payment_terms_days=14, direct_debit=mandate)
    stored = invoice_to_json(invoice)
    assert stored["payment_means"]["mandate_reference"] == "COCOON-M-1"
    assert invoice_from_json(stored).direct_debit == mandate
    plain = issue_invoice(draft, number="2026-000002", issued_on=TODAY, payment_terms_days=14)
    assert "payment_means" not in invoice_to_json(plain)  # documents without a mandate stay as they were
    note = credit_note_for(invoice, number="G2026-000001", issued_on=date(2026, 6, 5), reason="storniert")
    assert note.direct_debit is None and "payment_means" not in invoice_to_json(note)
