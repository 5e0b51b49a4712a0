"""A SEPA B2B direct debit mandate's data, checked (SPEC §15, issue 18): IBAN, BIC, reference, signature day.

Pure: today is a parameter; the IBAN's check digits, its country's SEPA membership and the BIC's
country come from `schwifty` (its registry is data shipped with the package, no network).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from shared.rules.billing.documents import DirectDebitMandate

# The SEPA rulebooks' character set for a mandate reference (EPC262, "Latin" subset), 1 to 35 characters.
MANDATE_REFERENCE = re.compile(r"^[A-Za-z0-9+?/:().,'\- ]{1,35}$")


class MandateRefused(ValueError):
    """Mandate data that cannot be accepted; `field` names the input that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MandateData:
    iban: str  # compact, upper case
    bic: str  # 11 characters
    reference: str
    signed_on: date
    country: str


def check_mandate(iban: str, bic: str, reference: str, signed_on: date, today: date) -> MandateData:
    """The mandate as it will be stored, or MandateRefused naming the first wrong field."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        account = IBAN(iban)
    except SchwiftyException as exc:
        raise MandateRefused("iban", f"The IBAN is not valid: {exc}.") from exc
    if not account.in_sepa_zone:
        raise MandateRefused("iban", f"{account.country_code} is not a SEPA country: no SEPA direct debit there.")
    try:
        bank = BIC(bic)
    except SchwiftyException as exc:
        raise MandateRefused("bic", f"The BIC is not valid: {exc}.") from exc
    if bank.country_code != account.country_code:
        raise MandateRefused("bic", f"The BIC is of {bank.country_code}, the IBAN of {account.country_code}.")
    known = account.bic  # schwifty's bank registry, where it knows the bank of the IBAN
    if known is not None and str(known)[:6] != str(bank)[:6]:
        raise MandateRefused("bic", "The BIC is not the bank of the IBAN.")
    if not MANDATE_REFERENCE.match(reference) or reference != reference.strip() or "//" in reference:
        raise MandateRefused(
            "reference", "A mandate reference has 1 to 35 of the SEPA characters (letters, digits, +?/-:().,' space)."
        )
    if signed_on > today:
        raise MandateRefused("signed_on", "The mandate cannot be signed in the future.")
    return MandateData(account.compact, str(bank).ljust(11, "X"), reference, signed_on, account.country_code)


def mandate_for_invoice(
    reference: str, debtor_iban: str, revoked: bool, creditor_identifier: str
) -> DirectDebitMandate | None:
    """The mandate an invoice issued now is debited under: a live one, with our creditor id; else None.

    Fail closed: a revoked mandate, or no creditor id configured, means the invoice asks for a transfer.
    """
    if revoked or not reference or not debtor_iban or not creditor_identifier:
        return None
    return DirectDebitMandate(reference, creditor_identifier, debtor_iban)
