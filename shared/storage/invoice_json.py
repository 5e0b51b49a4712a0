"""The JSON form of invoices and drafts: how an issued document is stored (and shown over HTTP, SPEC §9).

Persistence, not a billing rule: the rules compute `Invoice`/`InvoiceDraft` values, this codec writes
them as the stored document and reads them back (e.g. to render an e-invoice). Amounts are decimal
strings (`shared.rules.billing.money`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, cast

from shared.rules.billing import (
    BillingMonth,
    DirectDebitMandate,
    DocumentType,
    Invoice,
    InvoiceDraft,
    InvoiceLine,
    LineKind,
    Party,
    VatTreatment,
    money_str,
    quantity_str,
)


def _party_json(party: Party) -> dict[str, Any]:
    return {
        "name": party.name,
        "street": party.street,
        "postcode": party.postcode,
        "city": party.city,
        "country": party.country,
        "vat_id": party.vat_id,
        "email": party.email,
        **{key: value for key, value in _party_extras(party).items() if value},
    }


def _party_extras(party: Party) -> dict[str, Any]:
    """Contact, bank and reference fields, written only when set: older invoices stay byte-identical."""
    return {
        "contact_name": party.contact_name,
        "telephone": party.telephone,
        "iban": party.iban,
        "bic": party.bic,
        "reference": party.reference,
        "public_institution": party.public_institution,
    }


def _party_from_json(data: Mapping[str, Any]) -> Party:
    return Party(
        name=data["name"],
        street=data["street"],
        postcode=data["postcode"],
        city=data["city"],
        country=data["country"],
        vat_id=data.get("vat_id"),
        email=data.get("email"),
        contact_name=data.get("contact_name"),
        telephone=data.get("telephone"),
        iban=data.get("iban"),
        bic=data.get("bic"),
        reference=data.get("reference"),
        public_institution=bool(data.get("public_institution", False)),
    )


def draft_to_json(draft: InvoiceDraft) -> dict[str, Any]:
    """A draft (e.g. the month-to-date preview) as JSON-ready data; amounts as decimal strings."""
    return {
        "account_id": draft.account_id,
        "month": str(draft.month),
        "preview": draft.is_preview,
        "service_period": {
            "start": draft.service_period_start.isoformat(),
            "end": draft.service_period_end.isoformat(),
        },
        "lines": [
            {
                "kind": line.kind,
                "item_id": line.item_id,
                "description": line.description,
                "quantity": quantity_str(line.quantity),
                "unit_code": line.unit_code,
                "unit_price": money_str(line.unit_price),
                "amount": money_str(line.amount),
                "users": list(line.user_names),
                "explain": line.explain,
            }
            for line in draft.lines
        ],
        "net": money_str(draft.net),
        "vat_rate": money_str(draft.vat_rate),
        "vat": money_str(draft.vat),
        "total": money_str(draft.total),
        "currency": draft.currency,
        "vat_treatment": draft.vat_treatment,
        "vat_category": draft.vat_category,
        "vat_exemption": (
            {"reason": draft.vat_exemption_reason, "code": draft.vat_exemption_code}
            if draft.vat_exemption_reason or draft.vat_exemption_code
            else None
        ),
        "notes": list(draft.notes),
        "seller": _party_json(draft.seller),
        "buyer": _party_json(draft.buyer),
        "language": draft.language,
        "explain": list(draft.explain),
    }


def invoice_to_json(invoice: Invoice) -> dict[str, Any]:
    """The issued document as the HTTP contract shows it (SPEC §9) and as it is stored.

    Fixed fields: ``number``, ``month`` ("YYYY-MM"), ``issued_on``, ``lines`` (``description``,
    ``quantity``, ``unit_price``, ``amount``), ``net``, ``vat_rate``, ``vat``, ``total``,
    ``currency``; amounts are decimal strings. :func:`invoice_from_json` reads it back.
    """
    data = draft_to_json(invoice.draft)
    del data["preview"]
    means = _payment_means_json(invoice.direct_debit)
    return {
        "number": invoice.number,
        "document_type": invoice.document_type,
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat(),
        "corrects": (
            {
                "number": invoice.corrects_number,
                "issued_on": invoice.corrects_issued_on.isoformat() if invoice.corrects_issued_on else None,
            }
            if invoice.corrects_number
            else None
        ),
        **data,
        **({"payment_means": means} if means else {}),  # only with a mandate: older documents stay as they are
    }


PAYMENT_MEANS_DIRECT_DEBIT = "sepa_direct_debit"


def _payment_means_json(mandate: DirectDebitMandate | None) -> dict[str, str] | None:
    """The mandate live at issue, kept in the document (its XML carries the full IBAN, as BT-91 requires)."""
    if mandate is None:
        return None
    return {
        "type": PAYMENT_MEANS_DIRECT_DEBIT,
        "mandate_reference": mandate.mandate_reference,
        "creditor_id": mandate.creditor_identifier,
        "debtor_iban": mandate.debtor_iban,
    }


def _payment_means_from_json(data: Mapping[str, Any] | None) -> DirectDebitMandate | None:
    if not data or data.get("type") != PAYMENT_MEANS_DIRECT_DEBIT:
        return None
    return DirectDebitMandate(data["mandate_reference"], data["creditor_id"], data["debtor_iban"])


def invoice_from_json(data: Mapping[str, Any]) -> Invoice:
    """Rebuild an issued document from :func:`invoice_to_json` output (e.g. to render its e-invoice)."""
    corrects = data.get("corrects")
    exemption = data.get("vat_exemption") or {}
    lines = tuple(
        InvoiceLine(
            kind=cast(LineKind, line["kind"]),
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit_price=Decimal(line["unit_price"]),
            amount=Decimal(line["amount"]),
            unit_code=line["unit_code"],
            explain=line["explain"],
            item_id=line.get("item_id", ""),
            user_names=tuple(line.get("users", ())),
        )
        for line in data["lines"]
    )
    draft = InvoiceDraft(
        account_id=data["account_id"],
        month=BillingMonth.parse(data["month"]),
        service_period_start=date.fromisoformat(data["service_period"]["start"]),
        service_period_end=date.fromisoformat(data["service_period"]["end"]),
        lines=lines,
        net=Decimal(data["net"]),
        vat_rate=Decimal(data["vat_rate"]),
        vat=Decimal(data["vat"]),
        total=Decimal(data["total"]),
        currency=data["currency"],
        vat_treatment=cast(VatTreatment, data["vat_treatment"]),
        vat_category=data["vat_category"],
        vat_exemption_reason=exemption.get("reason"),
        vat_exemption_code=exemption.get("code"),
        notes=tuple(data["notes"]),
        seller=_party_from_json(data["seller"]),
        buyer=_party_from_json(data["buyer"]),
        language=data["language"],
        explain=tuple(data["explain"]),
    )
    return Invoice(
        number=data["number"],
        issued_on=date.fromisoformat(data["issued_on"]),
        due_on=date.fromisoformat(data["due_on"]),
        draft=draft,
        document_type=cast(DocumentType, data.get("document_type", "invoice")),
        corrects_number=corrects["number"] if corrects else None,
        corrects_issued_on=(
            date.fromisoformat(corrects["issued_on"]) if corrects and corrects.get("issued_on") else None
        ),
        direct_debit=_payment_means_from_json(data.get("payment_means")),
    )
