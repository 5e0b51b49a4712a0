"""The items of getting paid (issue 18): payments booked on invoices, imported statements, unmatched credits.

In their own module (models.py is the shared one, near its size limit); same table, same base item.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from shared.storage.models import CocoonItem


class InvoicePayment(CocoonItem, discriminator="invoice_payment"):
    """A payment booked on an invoice. sk = "PAYMENT#<number>#<payment id>"; the id comes from its source
    (a statement entry, a clerk's Idempotency-Key), so the same payment is never booked twice."""

    account_id = UnicodeAttribute()
    number = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    amount = UnicodeAttribute()  # a Decimal as text; negative for a returned debit
    kind = UnicodeAttribute()  # "transfer", "manual", "direct_debit", "return"
    booked_at = UTCDateTimeAttribute()
    booked_on = UnicodeAttribute(null=True)  # the bank's booking day
    reference = UnicodeAttribute(null=True)  # statement entry, or the clerk's note
    return_reason = UnicodeAttribute(null=True)
    recorded_by = UnicodeAttribute(null=True)  # staff id


class BankStatement(CocoonItem, discriminator="bank_statement"):
    """An imported camt.053 statement. pk = "STATEMENT#<id>", sk = "STATEMENT"; written once it is booked."""

    statement_id = UnicodeAttribute()
    imported_at = UTCDateTimeAttribute()
    entries = NumberAttribute()
    matched = NumberAttribute()
    unmatched = NumberAttribute()


class UnmatchedCredit(CocoonItem, discriminator="unmatched_credit"):
    """A credit of a statement that names no open invoice. pk = "STATEMENT#<id>", sk = "CREDIT#<entry>";
    lookup_key = "UNMATCHED_CREDIT" while a clerk has to assign it (removed when assigned)."""

    statement_id = UnicodeAttribute()
    entry_reference = UnicodeAttribute()
    amount = UnicodeAttribute()
    currency = UnicodeAttribute()
    booked_on = UnicodeAttribute(null=True)
    remittance = UnicodeAttribute()
    end_to_end_id = UnicodeAttribute()
    assigned_to = UnicodeAttribute(null=True)  # the invoice number it was booked on


class SepaMandate(CocoonItem, discriminator="sepa_mandate"):
    """An account's SEPA B2B direct debit mandate. sk = "MANDATE" (one at a time); a revoked one stays,
    marked, until the next is granted. Its reference is reserved for ever (MandateReference)."""

    account_id = UnicodeAttribute()
    iban = UnicodeAttribute()
    bic = UnicodeAttribute()
    reference = UnicodeAttribute()
    signed_on = UnicodeAttribute()
    granted_at = UTCDateTimeAttribute()
    granted_by = UnicodeAttribute()  # "tenant" or the staff id who granted it on the account's behalf
    revoked_at = UTCDateTimeAttribute(null=True)


class MandateReference(CocoonItem, discriminator="mandate_reference"):
    """A mandate reference in use: pk = "MANDATE_REF#<reference>", so no two mandates share one (SEPA)."""

    account_id = UnicodeAttribute()


class DirectDebitFile(CocoonItem, discriminator="direct_debit_file"):
    """A pain.008 file: pk = "DIRECT_DEBIT#<collection day>", sk = "FILE#<file id>"; lookup_key lists them."""

    file_id = UnicodeAttribute()
    collection_on = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    invoices = NumberAttribute()
    total = UnicodeAttribute()
    xml = UnicodeAttribute()
