"""Pure billing rules: what an account owes for a calendar month, and the documents that say so.

Nothing here touches AWS, a database or the clock: "today" and "now" are parameters, so the
nightly job, the invoice preview and the tests all get the same answer for the same history.

Conventions (SPEC §1, §3, §4):

* Money is ``Decimal``. Every line amount is rounded ROUND_HALF_UP to the cent on its own;
  the net is the sum of the rounded lines and the VAT is computed once on that net (which
  is what EN 16931 expects: BT-117 = BT-116 × BT-119 / 100, rounded).
* A "month" is a calendar month in the company time zone (Europe/Berlin by default): it
  starts at 00:00 local time on the 1st and ends, exclusively, at 00:00 on the 1st of the
  next month. Every history time stamp is an aware ``datetime`` and is compared as an
  instant, so events recorded in UTC fall into the right Berlin month.
* Something "held at any moment" of a period means: held during an interval of positive
  length that overlaps the period. A user activated and deactivated at the same instant
  was never active.
* An issued invoice never changes; a correction is a credit note that references it.

The package is split by concern (months, history, seats, editions, apps, VAT, drafts, documents,
money, terms); this module names the public values so callers import them from one place. The JSON
form of documents is persistence and lives in shared/storage/invoice_json.py; the EN 16931 XML is
shared.rules.billing.einvoice (imported on its own: it pulls in factur-x).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.lazy_exports import lazy_exports

if TYPE_CHECKING:  # the names, for the type checker; at run time each is imported on first use
    from shared.rules.billing.apps import apps_subscribed_between
    from shared.rules.billing.cursor import last_paid_day, next_billing_moment
    from shared.rules.billing.documents import (
        DirectDebitMandate,
        DocumentType,
        Invoice,
        credit_note_for,
        format_invoice_number,
        issue_invoice,
        parse_invoice_number,
    )
    from shared.rules.billing.drafts import (
        UNIT_HOUR,
        UNIT_PIECE,
        InvoiceDraft,
        InvoiceLine,
        LineKind,
        compute_invoice_draft,
        month_to_date_preview,
    )
    from shared.rules.billing.editions import (
        edition_between,
        edition_change_effective_at,
        edition_for_month,
        editions_held_between,
    )
    from shared.rules.billing.errors import BillingError
    from shared.rules.billing.history import AppSubscription, BillableHours, BillingHistory, EditionChange, SeatEvent
    from shared.rules.billing.money import CENT, HUNDRED, money_str, quantity_str, round_cents
    from shared.rules.billing.months import (
        COMPANY_TIME_ZONE,
        BillingMonth,
        billable_months,
        month_key,
        months_to_bill,
        start_of_day,
    )
    from shared.rules.billing.parties import BillingAccount, Party
    from shared.rules.billing.seats import CountedUser, users_counted_between, users_counted_in_month
    from shared.rules.billing.terms import DEFAULT_OUTSIDE_EU_NOTE, AppTerms, BillingTerms, EditionTerms, VatTerms
    from shared.rules.billing.vat import VatDecision, VatTreatment, vat_amount, vat_decision

# Where each public name lives. Why lazily: a request that needs one month key (a mail's lookup key,
# the policy's terms) must not import every billing rule: a cold signup paid 13-26 ms for it.
_HOME = {
    "AppSubscription": "history",
    "AppTerms": "terms",
    "BillableHours": "history",
    "BillingAccount": "parties",
    "BillingError": "errors",
    "BillingHistory": "history",
    "BillingMonth": "months",
    "BillingTerms": "terms",
    "CENT": "money",
    "COMPANY_TIME_ZONE": "months",
    "CountedUser": "seats",
    "DirectDebitMandate": "documents",
    "DEFAULT_OUTSIDE_EU_NOTE": "terms",
    "DocumentType": "documents",
    "EditionChange": "history",
    "EditionTerms": "terms",
    "HUNDRED": "money",
    "Invoice": "documents",
    "InvoiceDraft": "drafts",
    "InvoiceLine": "drafts",
    "LineKind": "drafts",
    "Party": "parties",
    "SeatEvent": "history",
    "UNIT_HOUR": "drafts",
    "UNIT_PIECE": "drafts",
    "VatDecision": "vat",
    "VatTerms": "terms",
    "VatTreatment": "vat",
    "apps_subscribed_between": "apps",
    "billable_months": "months",
    "compute_invoice_draft": "drafts",
    "credit_note_for": "documents",
    "edition_between": "editions",
    "edition_change_effective_at": "editions",
    "edition_for_month": "editions",
    "editions_held_between": "editions",
    "format_invoice_number": "documents",
    "issue_invoice": "documents",
    "last_paid_day": "cursor",
    "money_str": "money",
    "month_key": "months",
    "month_to_date_preview": "drafts",
    "months_to_bill": "months",
    "next_billing_moment": "cursor",
    "parse_invoice_number": "documents",
    "quantity_str": "money",
    "round_cents": "money",
    "start_of_day": "months",
    "users_counted_between": "seats",
    "users_counted_in_month": "seats",
    "vat_amount": "vat",
    "vat_decision": "vat",
}


__getattr__ = lazy_exports(__name__, _HOME, globals())  # `from shared.rules.billing import X` loads X's module


__all__ = [
    "CENT",
    "COMPANY_TIME_ZONE",
    "DEFAULT_OUTSIDE_EU_NOTE",
    "HUNDRED",
    "UNIT_HOUR",
    "UNIT_PIECE",
    "AppSubscription",
    "AppTerms",
    "BillableHours",
    "BillingAccount",
    "BillingError",
    "BillingHistory",
    "BillingMonth",
    "BillingTerms",
    "CountedUser",
    "DirectDebitMandate",
    "DocumentType",
    "EditionChange",
    "EditionTerms",
    "Invoice",
    "InvoiceDraft",
    "InvoiceLine",
    "LineKind",
    "Party",
    "SeatEvent",
    "VatDecision",
    "VatTerms",
    "VatTreatment",
    "apps_subscribed_between",
    "billable_months",
    "compute_invoice_draft",
    "credit_note_for",
    "edition_between",
    "edition_change_effective_at",
    "edition_for_month",
    "editions_held_between",
    "format_invoice_number",
    "issue_invoice",
    "last_paid_day",
    "money_str",
    "month_key",
    "month_to_date_preview",
    "months_to_bill",
    "next_billing_moment",
    "parse_invoice_number",
    "quantity_str",
    "round_cents",
    "start_of_day",
    "users_counted_between",
    "users_counted_in_month",
    "vat_amount",
    "vat_decision",
]
