"""The billing job's mails, composed here: storage asks for them once it knows an invoice's number.

The invoice number is drawn inside the commit (the year's counter), so storage calls these with the
number it holds and stores what they return in the same transaction (shared/storage/billing.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.mail.compose import ComposedMail, compose_mail
from shared.mail.context import mail_context
from shared.policy import Policy
from shared.storage.invoice_json import PAYMENT_MEANS_DIRECT_DEBIT


class BillingMails:
    """The invoice mail and the month's address reminder, to the billing contact in the account's language."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy

    def invoice(self, account: Any, number: str, month: str, document: dict[str, Any], now: datetime) -> ComposedMail:
        return compose_mail(
            mail_id=f"invoice-{number}",
            account_id=account.account_id,
            recipient=account.billing_email or account.admin_email,
            template="invoice",
            language=account.language,
            context=mail_context(
                account,
                self._policy,
                number=number,
                month=month,
                total=document["total"],
                currency=document["currency"],
                due_on=document["due_on"],
                **_direct_debit_context(document),
            ),
            now=now,
        )

    def address_reminder(self, account: Any, month: str, now: datetime) -> ComposedMail:
        return compose_mail(
            mail_id=f"billing-address-{account.account_id}-{month}",
            account_id=account.account_id,
            recipient=account.billing_email or account.admin_email,
            template="billing_address_missing",
            language=account.language,
            context=mail_context(account, self._policy),
            now=now,
        )


def _direct_debit_context(document: dict[str, Any]) -> dict[str, str]:
    """The mandate the issued invoice is debited under, as the mail names it: the IBAN's last 4 characters only."""
    means = document.get("payment_means") or {}
    if means.get("type") != PAYMENT_MEANS_DIRECT_DEBIT:
        return {"mandate_reference": "", "debit_account_ending": ""}
    return {"mandate_reference": means["mandate_reference"], "debit_account_ending": means["debtor_iban"][-4:]}
