"""The Leitweg-ID: the routing id a German public body gives its suppliers for e-invoices.

Defined by the Koordinierungsstelle für IT-Standards (KoSIT, "Format-Spezifikation Leitweg-ID"):
``<Grobadressierung>[-<Feinadressierung>]-<Prüfziffer>``, where the coarse part is 2-12 digits
(the body's region code), the optional fine part 1-30 letters or digits, and the two check digits
are ISO 7064 MOD 97-10 over the characters before them (letters count A=10 … Z=35, as in IBANs).
XRechnung carries it as the buyer reference (BT-10, rule BR-DE-15): a wrong one means the
invoice reaches nobody, so it is refused at entry rather than found out at the public body.
"""

from __future__ import annotations

import re

_LEITWEG_ID = re.compile(r"^(?P<coarse>[0-9]{2,12})(?:-(?P<fine>[A-Z0-9]{1,30}))?-(?P<check>[0-9]{2})$")


class LeitwegIdError(ValueError):
    """Not a Leitweg-ID: the message says whether the form or the check digits are wrong."""


def mod97_10_check_digits(characters: str) -> str:
    """ISO 7064 MOD 97-10 check digits for ``characters`` (digits and letters A-Z)."""
    number = int("".join(str(int(character, 36)) for character in characters) + "00")
    return f"{98 - number % 97:02d}"


def normalize_leitweg_id(text: str) -> str:
    """``text`` as a valid Leitweg-ID (surrounding spaces dropped, letters upper-cased), or raise."""
    candidate = text.strip().upper()
    match = _LEITWEG_ID.match(candidate)
    if match is None:
        raise LeitwegIdError("a Leitweg-ID is <2-12 digits>[-<1-30 letters or digits>]-<2 check digits>")
    before_check = match.group("coarse") + (match.group("fine") or "")
    if mod97_10_check_digits(before_check) != match.group("check"):
        raise LeitwegIdError("the check digits of the Leitweg-ID are wrong")
    return candidate


def is_valid_leitweg_id(text: str) -> bool:
    try:
        normalize_leitweg_id(text)
    except LeitwegIdError:
        return False
    return True
