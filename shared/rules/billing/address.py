"""Whom an invoice may be addressed to: the buyer's full address (§14 UStG) and its reference.

No invoice without street, post code, city and country: German law wants the full address on
every invoice and XRechnung's BR-DE-8/9 refuse one without city and post code. A public body's
buyer reference must be its Leitweg-ID (BR-DE-15: the invoice is routed by it); any other
customer may give an order number, which is printed as it is.
"""

from __future__ import annotations

from shared.rules.billing.leitweg import LeitwegIdError, normalize_leitweg_id

ADDRESS_FIELDS = ("street", "postcode", "city", "country")
PUBLIC_INSTITUTION = "public_institution"


def missing_address_fields(
    street: str | None, postcode: str | None, city: str | None, country: str | None
) -> list[str]:
    """The parts of the billing address that are missing or blank, in the order of ADDRESS_FIELDS."""
    given = dict(zip(ADDRESS_FIELDS, (street, postcode, city, country), strict=True))
    return [name for name in ADDRESS_FIELDS if not (given[name] or "").strip()]


def buyer_reference_problem(organization_type: str, reference: str | None) -> str | None:
    """Why ``reference`` cannot be this buyer's reference (BT-10), or None when it can."""
    if organization_type != PUBLIC_INSTITUTION:
        return None
    if not (reference or "").strip():
        return "a public institution must give its Leitweg-ID as buyer reference"
    try:
        normalize_leitweg_id(reference or "")
    except LeitwegIdError as exc:
        return str(exc)
    return None


def normalized_buyer_reference(organization_type: str, reference: str | None) -> str | None:
    """The reference as stored: a Leitweg-ID upper-cased, anything else trimmed; blank is None."""
    text = (reference or "").strip()
    if not text:
        return None
    return normalize_leitweg_id(text) if organization_type == PUBLIC_INSTITUTION else text


def billing_address_problems(
    organization_type: str,
    street: str | None,
    postcode: str | None,
    city: str | None,
    country: str | None,
    reference: str | None,
) -> dict[str, str]:
    """Field → why it stops invoicing (empty: the account may be invoiced)."""
    problems = {
        name: "required for invoices (§14 UStG)" for name in missing_address_fields(street, postcode, city, country)
    }
    reference_problem = buyer_reference_problem(organization_type, reference)
    if reference_problem:
        problems["buyer_reference"] = reference_problem
    return problems
