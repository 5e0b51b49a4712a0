"""EN 16931 e-invoices (Factur-X / ZUGFeRD CII XML, profile EN 16931) for issued invoices.

German B2B e-invoicing becomes mandatory in 2027–2028 (SPEC §4), so every invoice and credit
note is also produced as structured XML. The XML is built by the ``factur-x`` library from its
EN 16931 data dictionary (keys are the business terms BT-n/BG-n of the standard) and checked
against the official XSD the library ships. The library is imported inside the functions:
it pulls in lxml and pypdf, which a cold-started Lambda that never renders an e-invoice
should not pay for.

Mapping decisions:

* A credit note is type 381 with *positive* amounts (the document type carries the sign, as
  EN 16931 requires) and names the corrected invoice in BG-3; our JSON shows it negated.
* One VAT breakdown (BG-23): every line of a Cocoon invoice has the same VAT category.
* Reverse charge → category AE (exemption code VATEX-EU-AE), both VAT IDs present.
  Outside the EU → category O (VATEX-EU-O) without VAT rate and without VAT IDs (EN 16931
  rule BR-O-02); the seller is then identified by its VAT ID as plain seller identifier
  (BT-29) so that BR-CO-26 still finds an identifier.
* The delivery date (BT-72) is the last day of the service period: a monthly service is
  performed when the month is over. The service period itself is BT-73/BT-74.
* The buyer identifier (BT-46) is the Cocoon account id, the customer number.
* Every document names the seller's contact point (BG-6) and pays by SEPA credit transfer
  (BT-81 = 58) to the seller's IBAN/BIC, remittance information = the invoice number; with a
  direct-debit mandate (issue 18) it is SEPA direct debit (59) instead: the mandate recorded in the
  issued document (`Invoice.direct_debit`) gives BT-89 (DirectDebitMandateID in the payment terms),
  BT-90 (CreditorReferenceID of the header settlement) and BT-91 (PayerPartyDebtorFinancialAccount/IBANID).
  The buyer reference (BT-10) is the buyer's Leitweg-ID or order number when it gave one.
* A public institution receives XRechnung 3.0: the same CII document under XRechnung's
  specification identifier (BT-24), which makes the receiver apply the German rules BR-DE-*.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.rules.billing.documents import DirectDebitMandate, Invoice
from shared.rules.billing.money import money_str, quantity_str

FACTURX_LEVEL = "en16931"
TYPE_CODE_INVOICE = "380"
TYPE_CODE_CREDIT_NOTE = "381"
SPECIFICATION_EN16931 = "urn:cen.eu:en16931:2017"
SPECIFICATION_XRECHNUNG_3_0 = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PAYMENT_MEANS_SEPA_CREDIT_TRANSFER = "58"
PAYMENT_MEANS_SEPA_DIRECT_DEBIT = "59"


class EInvoiceValidationError(ValueError):
    """The XML does not validate against the EN 16931 (Factur-X) schema."""


def _party(
    name: str,
    street: str,
    postcode: str,
    city: str,
    country: str,
    vat_id: str | None,
    *,
    email: str | None = None,
    identifier: str | None = None,
) -> dict[str, Any]:
    party: dict[str, Any] = {
        "name": name,
        "addr_l1": street,
        "postcode": postcode,
        "city": city,
        "country_code": country,
    }
    if vat_id:
        party["vat_identifier"] = vat_id
    if identifier:
        party["identifiers"] = {None: identifier}
    if email:
        party["contacts"] = [{"email": email}]
    return party


def specification_identifier(invoice: Invoice) -> str:
    """BT-24: XRechnung 3.0 for public institutions, plain EN 16931 for everyone else."""
    return SPECIFICATION_XRECHNUNG_3_0 if invoice.buyer.public_institution else SPECIFICATION_EN16931


def _seller_contact(invoice: Invoice) -> list[dict[str, str]]:
    """BG-6: who answers questions about the invoice (BR-DE-2/5/6/7 want name, telephone, e-mail)."""
    seller = invoice.seller
    contact = {"name": seller.contact_name, "phone": seller.telephone, "email": seller.email}
    return [{key: value for key, value in contact.items() if value}] if any(contact.values()) else []


def _payment_instructions(invoice: Invoice, mandate: DirectDebitMandate | None) -> dict[str, Any]:
    """BG-16: how the amount is paid (BR-DE-1). Remittance information (BT-83) is the document number."""
    seller = invoice.seller
    if mandate is not None:
        return {
            "BT-81": PAYMENT_MEANS_SEPA_DIRECT_DEBIT,
            "BT-83": invoice.number,
            "BT-89": mandate.mandate_reference,
            "BT-90": mandate.creditor_identifier,
            "BT-91": mandate.debtor_iban,
        }
    if not seller.iban:
        return {}
    instructions = {"BT-81": PAYMENT_MEANS_SEPA_CREDIT_TRANSFER, "BT-83": invoice.number, "BT-84": seller.iban}
    if seller.bic:
        instructions["BT-86"] = seller.bic
    return instructions


def _add_contact_payment_and_reference(
    data: dict[str, Any], invoice: Invoice, mandate: DirectDebitMandate | None
) -> None:
    """Seller contact, payment instructions and buyer reference: what XRechnung adds to EN 16931."""
    contacts = _seller_contact(invoice)
    if contacts:
        data["BG-4"]["contacts"] = contacts
    data.update(_payment_instructions(invoice, mandate))
    if invoice.buyer.reference:
        data["BT-10"] = invoice.buyer.reference


def _with_specification_identifier(xml: bytes, identifier: str) -> bytes:
    """Put ``identifier`` in BT-24: the library always writes its own profile's identifier there."""
    if identifier == SPECIFICATION_EN16931:
        return xml
    from lxml import etree  # lazy, see module docstring

    root = etree.fromstring(xml)
    guideline = root.find(
        "{*}ExchangedDocumentContext/{*}GuidelineSpecifiedDocumentContextParameter/{*}ID",
    )
    if guideline is None:
        raise EInvoiceValidationError("the generated e-invoice has no specification identifier (BT-24)")
    guideline.text = identifier
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def invoice_to_en16931_data(invoice: Invoice, mandate: DirectDebitMandate | None = None) -> dict[str, Any]:
    """The factur-x library's EN 16931 data dictionary for ``invoice`` (business-term keys).

    ``mandate`` overrides the mandate recorded in the issued document (tests); by default it is that one.
    """
    mandate = mandate if mandate is not None else invoice.direct_debit
    draft = invoice.draft
    credit = invoice.document_type == "credit_note"
    sign = Decimal(-1) if credit else Decimal(1)
    outside_scope = draft.vat_category == "O"
    seller, buyer = draft.seller, draft.buyer

    lines = []
    for index, line in enumerate(draft.lines, start=1):
        line_data: dict[str, Any] = {
            "BT-126": str(index),
            "BT-129": quantity_str(sign * line.quantity),
            "BT-130": line.unit_code,
            "BT-131": money_str(sign * line.amount),
            "BT-146": money_str(line.unit_price),
            "BT-151": draft.vat_category,
            "BT-153": line.description,
            "BT-127-00": [{"BT-127": line.explain}],
        }
        if line.item_id:
            line_data["BT-155"] = line.item_id
        if line.user_names:
            line_data["BT-154"] = "Users: " + ", ".join(line.user_names)
        if not outside_scope:
            line_data["BT-152"] = money_str(draft.vat_rate)
        lines.append(line_data)

    tax: dict[str, Any] = {
        "BT-116": money_str(sign * draft.net),
        "BT-117": money_str(sign * draft.vat),
        "BT-118": draft.vat_category,
    }
    if not outside_scope:
        tax["BT-119"] = money_str(draft.vat_rate)
    if draft.vat_exemption_reason:
        tax["BT-120"] = draft.vat_exemption_reason
    if draft.vat_exemption_code:
        tax["BT-121"] = draft.vat_exemption_code

    data: dict[str, Any] = {
        "BT-1": invoice.number,
        "BT-2": invoice.issued_on,
        "BT-3": TYPE_CODE_CREDIT_NOTE if credit else TYPE_CODE_INVOICE,
        "BT-5": draft.currency,
        "BG-1": [{"BT-22": note} for note in draft.notes],
        "BG-4": _party(
            seller.name,
            seller.street,
            seller.postcode,
            seller.city,
            seller.country,
            None if outside_scope else seller.vat_id,
            email=seller.email,
            identifier=seller.vat_id if outside_scope else None,
        ),
        "BG-7": _party(
            buyer.name,
            buyer.street,
            buyer.postcode,
            buyer.city,
            buyer.country,
            None if outside_scope else buyer.vat_id,
            identifier=draft.account_id,
        ),
        "BT-72": draft.service_period_end,
        "BT-73": draft.service_period_start,
        "BT-74": draft.service_period_end,
        "BG-23": [tax],
        "BT-106": money_str(sign * draft.net),
        "BT-109": money_str(sign * draft.net),
        "BT-110": money_str(sign * draft.vat),
        "BT-112": money_str(sign * draft.total),
        "BT-115": money_str(sign * draft.total),
        "BG-25": lines,
    }
    if credit:
        data["BG-3"] = [{"BT-25": invoice.corrects_number, "BT-26": invoice.corrects_issued_on}]
    else:
        days = (invoice.due_on - invoice.issued_on).days
        data["BT-9"] = invoice.due_on
        data["BT-20"] = f"Zahlbar innerhalb von {days} Tagen / payable within {days} days"
    _add_contact_payment_and_reference(data, invoice, mandate)
    return data


def invoice_to_en16931_xml(invoice: Invoice, mandate: DirectDebitMandate | None = None) -> bytes:
    """The EN 16931 (Factur-X/ZUGFeRD CII, profile EN 16931) XML of an issued invoice or credit note.

    The library validates the result against the official XSD while generating it; an invalid
    document raises :class:`EInvoiceValidationError` instead of being handed to a customer.
    Schematron business rules are not run (the library needs an external Saxon server for them).
    """
    from facturx.generate_xml import generate_xml  # lazy: keeps lxml/pypdf out of cold starts

    try:
        xml: bytes = generate_xml(
            invoice_to_en16931_data(invoice, mandate),
            flavor="factur-x",
            level=FACTURX_LEVEL,
            check_xsd=True,
            check_schematron=False,
        )
    except Exception as exc:  # the library raises bare Exception for XSD failures
        raise EInvoiceValidationError(f"e-invoice for {invoice.number} is invalid: {exc}") from exc
    return _with_specification_identifier(xml, specification_identifier(invoice))


def validate_en16931_xml(xml: bytes) -> None:
    """Check any Factur-X EN 16931 XML against the official schema; raise if it does not validate."""
    from facturx import xml_check_xsd  # lazy, see module docstring

    try:
        xml_check_xsd(xml, flavor="factur-x", level=FACTURX_LEVEL)
    except Exception as exc:  # bare Exception from the library, also for XML that is not well-formed
        raise EInvoiceValidationError(str(exc)) from exc
