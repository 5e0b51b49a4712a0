"""The country codes constant (shared/rules/country_codes.py) is Babel's list, and the contracts use it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.address_contracts import BillingAddressRequest
from shared.rules.country_codes import COUNTRY_CODES, babel_country_codes


def test_the_constant_is_the_installed_babels_two_letter_territories() -> None:
    # Fails the day Babel adds or drops a territory: paste `python -m shared.rules.country_codes`.
    assert babel_country_codes() == COUNTRY_CODES


@pytest.mark.parametrize("code", ["DE", "at", "XK"])
def test_a_known_country_is_accepted_in_upper_case(code: str) -> None:
    address = BillingAddressRequest(street="Hauptstraße 5", postcode="70173", city="Stuttgart", country=code)
    assert address.country == code.upper()


@pytest.mark.parametrize("code", ["QQ", "D1", "XX", "00"])
def test_an_unknown_country_is_refused_naming_the_field(code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        BillingAddressRequest(street="Hauptstraße 5", postcode="70173", city="Stuttgart", country=code)
    assert refused.value.errors()[0]["loc"] == ("country",)
