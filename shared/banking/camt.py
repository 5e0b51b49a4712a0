"""Reading a camt.053 bank statement (ISO 20022 BankToCustomerStatement) into plain values.

An adapter, not a rule: lxml parses the XML with entities, DTDs and the network off (a statement is a
stranger's file), the namespace must be camt.053's, and the structure the matching needs must be
there; anything else is StatementRefused naming what is wrong, before anything is booked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

CAMT053_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}$")
MAX_ENTRIES = 50_000
MAX_ID_LENGTH = 140  # ISO 20022 Max35Text/Max140Text: our keys stay far below DynamoDB's limit


class StatementRefused(ValueError):
    """Not a camt.053 statement we can book; `field` names the element that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class StatementEntry:
    """One booked entry: a credit (a customer paid) or a debit (e.g. a returned direct debit)."""

    reference: str  # unique within the statement: the entry's reference, or its position
    amount: Decimal
    currency: str
    credit: bool
    reversal: bool
    booked_on: date | None
    end_to_end_id: str
    remittance: str
    return_reason: str


@dataclass(frozen=True)
class Statement:
    statement_id: str
    entries: tuple[StatementEntry, ...]


def _local(element: Any) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and "}" in tag else str(tag)


def _child(element: Any, *path: str) -> Any | None:
    current = element
    for name in path:
        current = next((child for child in current if _local(child) == name), None)
        if current is None:
            return None
    return current


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child) == name]


def _text(element: Any, *path: str) -> str:
    found = _child(element, *path) if path else element
    return "" if found is None or found.text is None else found.text.strip()


def _texts(element: Any, name: str) -> list[str]:
    """Every text of elements called `name` below element (remittance lines, end-to-end ids)."""
    return [node.text.strip() for node in element.iter() if _local(node) == name and node.text and node.text.strip()]


def parse_camt053(raw: bytes) -> Statement:
    """The statement's id and entries; StatementRefused when the bytes are not a camt.053 statement."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(raw, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise StatementRefused("body", f"The statement is not well-formed XML: {exc}") from exc
    namespace = etree.QName(root).namespace or ""
    if _local(root) != "Document" or not CAMT053_NAMESPACE.match(namespace):
        raise StatementRefused("Document", "Not a camt.053 statement (urn:iso:std:iso:20022:tech:xsd:camt.053.001.xx).")
    report = _child(root, "BkToCstmrStmt")
    statements = _children(report, "Stmt") if report is not None else []
    if len(statements) != 1:
        raise StatementRefused("Stmt", "Exactly one statement (BkToCstmrStmt/Stmt) is expected.")
    statement = statements[0]
    statement_id = _text(statement, "Id")
    if not statement_id or len(statement_id) > MAX_ID_LENGTH or not statement_id.isprintable():
        raise StatementRefused("Stmt/Id", "The statement has no usable id.")
    entries = _children(statement, "Ntry")
    if len(entries) > MAX_ENTRIES:
        raise StatementRefused("Ntry", f"At most {MAX_ENTRIES} entries per statement.")
    parsed = tuple(_entry(entry, position) for position, entry in enumerate(entries, start=1))
    if len({entry.reference for entry in parsed}) != len(parsed):
        raise StatementRefused("Ntry/NtryRef", "Two entries of the statement have the same reference.")
    return Statement(statement_id=statement_id, entries=parsed)


def _entry(entry: Any, position: int) -> StatementEntry:
    where = f"Ntry[{position}]"
    amount_node = _child(entry, "Amt")
    try:
        amount = Decimal(_text(entry, "Amt"))
    except InvalidOperation as exc:
        raise StatementRefused(f"{where}/Amt", "The entry's amount is not a number.") from exc
    if not amount.is_finite() or amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise StatementRefused(f"{where}/Amt", "The entry's amount must be positive, in cents.")
    currency = amount_node.get("Ccy", "") if amount_node is not None else ""
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise StatementRefused(f"{where}/Amt/@Ccy", "The entry's currency is missing.")
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementRefused(f"{where}/CdtDbtInd", "The entry must say CRDT or DBIT.")
    booked = _text(entry, "BookgDt", "Dt")
    try:
        booked_on = date.fromisoformat(booked) if booked else None
    except ValueError as exc:
        raise StatementRefused(f"{where}/BookgDt", "The booking date is not an ISO date.") from exc
    reference = _text(entry, "NtryRef") or _text(entry, "AcctSvcrRef") or f"#{position}"
    if len(reference) > MAX_ID_LENGTH or not reference.isprintable():
        raise StatementRefused(f"{where}/NtryRef", "The entry's reference is not usable.")
    return StatementEntry(
        reference=reference,
        amount=amount,
        currency=currency,
        credit=indicator == "CRDT",
        reversal=_text(entry, "RvslInd").lower() == "true",
        booked_on=booked_on,
        end_to_end_id=" ".join(_texts(entry, "EndToEndId"))[:MAX_ID_LENGTH],
        remittance=" ".join(_texts(entry, "Ustrd"))[:1000],
        return_reason=" ".join(text for text in _texts(entry, "Cd") if _is_return_code(text))[:MAX_ID_LENGTH],
    )


def _is_return_code(code: str) -> bool:
    # ISO external return reasons (AC04, AM04, MD06, MS02, ...): two letters and two digits.
    return re.fullmatch(r"[A-Z]{2}\d{2}", code) is not None
