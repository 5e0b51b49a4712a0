"""What a desk search term is, and the one normal form names and VAT IDs are indexed and searched in.

One box takes every kind of term (SPEC §13): the shape tells which index answers, so a search is
one Query of the lookup index (and one read of the accounts found), never a Scan or a guess per kind.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from shared.rules.ui_text import N_

SearchKind = Literal["email", "ticket", "invoice", "vat", "name"]

_TICKET_NUMBER = re.compile(r"^[0-9]{13,14}$")  # shared.rules.tickets.ticket_number: day + 10000 + sequence
_INVOICE_NUMBER = re.compile(r"^[0-9]{4}-[0-9]{6}$")  # shared.rules.billing.format_invoice_number
_VAT_ID = re.compile(r"^[A-Z]{2}[0-9A-Z]{8,12}$")
_VAT_SEPARATORS = re.compile(r"[\s.\-/]")
_SPACES = re.compile(r"\s+")
MAX_TERM_LENGTH = 200


class UnusableTerm(ValueError):
    """The term is empty, too long or has nothing left to search for once normalised."""


@dataclass(frozen=True)
class SearchTerm:
    kind: SearchKind
    value: str  # normalised: a name prefix, a compact VAT ID, an address, a number


def normalize_name(text: str) -> str:
    """Case- and accent-insensitive: NFKD, combining marks dropped, casefolded, spaces collapsed.

    "Müller  GmbH" and "MULLER gmbh" are one name; "ﬁ" and "fi" too (NFKD splits ligatures).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    # casefold may compose again ("ß" → "ss" is fine; others can yield marks): strip once more.
    folded = unicodedata.normalize("NFKD", bare.casefold())
    kept = (char for char in folded if not unicodedata.combining(char) and unicodedata.category(char)[0] != "C")
    folded = "".join(kept)
    return _SPACES.sub(" ", folded).strip()


def normalize_vat_id(text: str) -> str:
    """Compact and upper case: "de 123 456 789" and "DE123456789" are one VAT ID."""
    return _VAT_SEPARATORS.sub("", text).upper()


def _looks_like_vat_id(compact: str) -> bool:
    return bool(_VAT_ID.match(compact)) and sum(char.isdigit() for char in compact) >= 7


def read_term(text: str) -> SearchTerm:
    """The kind of what was typed, by its shape: an address, a ticket or invoice number, a VAT ID, or a name prefix."""
    term = text.strip()
    if not term:
        raise UnusableTerm(N_("type a name, an e-mail address, a VAT ID, a ticket or an invoice number"))
    if len(term) > MAX_TERM_LENGTH:
        raise UnusableTerm(f"at most {MAX_TERM_LENGTH} characters")
    if "@" in term:
        return SearchTerm("email", term.lower())
    if term.isascii() and _TICKET_NUMBER.match(term):
        return SearchTerm("ticket", term)
    if term.isascii() and _INVOICE_NUMBER.match(term):
        return SearchTerm("invoice", term)
    compact = normalize_vat_id(term)
    if compact.isascii() and _looks_like_vat_id(compact):
        return SearchTerm("vat", compact)
    name = normalize_name(term)
    if not name:
        raise UnusableTerm(N_("nothing to search for in this term"))
    return SearchTerm("name", name)
