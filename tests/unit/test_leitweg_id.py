"""The Leitweg-ID rule on real ids (KoSIT's published examples and the federal test ids)."""

from __future__ import annotations

import pytest

from shared.rules.billing.leitweg import LeitwegIdError, mod97_10_check_digits, normalize_leitweg_id

VALID = [
    "04011000-1234512345-06",  # KoSIT's example in the XRechnung specification and test suite
    "991-33333TEST-33",  # test Leitweg-IDs of the federal e-invoicing portals
    "991-11111TEST-86",
]


@pytest.mark.parametrize("leitweg_id", VALID)
def test_real_leitweg_ids_are_accepted(leitweg_id: str) -> None:
    assert normalize_leitweg_id(leitweg_id) == leitweg_id


def test_lower_case_and_spaces_are_normalized() -> None:
    assert normalize_leitweg_id(" 991-33333test-33 ") == "991-33333TEST-33"


def test_the_check_digits_are_iso_7064_mod_97_10() -> None:
    assert mod97_10_check_digits("040110001234512345") == "06"
    assert mod97_10_check_digits("99133333TEST") == "33"


@pytest.mark.parametrize(
    "leitweg_id",
    [
        "04011000-1234512345-07",  # wrong check digit
        "991-33333TEST-34",
        "991-33333TSET-33",  # transposed characters
        "04011000-1234512346-06",
    ],
)
def test_a_wrong_check_digit_is_refused(leitweg_id: str) -> None:
    with pytest.raises(LeitwegIdError, match="check digits"):
        normalize_leitweg_id(leitweg_id)


@pytest.mark.parametrize(
    "leitweg_id",
    [
        "",
        "1-06",
        "0401100012345-06",
        "04011000-1234512345",
        "04011000_1234512345-06",
        "ABC-1234-06",
        "04011000-" + "1" * 31 + "-06",
        "04011000--06",
        "04011000-12345-6",
    ],
)
def test_a_malformed_id_is_refused(leitweg_id: str) -> None:
    with pytest.raises(LeitwegIdError, match="is <2-12 digits>"):
        normalize_leitweg_id(leitweg_id)


def test_an_invoice_needs_every_part_of_the_address_and_a_public_body_its_leitweg_id() -> None:
    from shared.rules.billing.address import billing_address_problems, normalized_buyer_reference

    full = ("Rathausplatz 1", "12345", "Musterhausen", "DE")
    assert billing_address_problems("company", *full, None) == {}
    assert set(billing_address_problems("company", "", " ", None, "DE", "PO-1")) == {"street", "postcode", "city"}
    assert set(billing_address_problems("public_institution", *full, None)) == {"buyer_reference"}
    wrong = billing_address_problems("public_institution", *full, "04011000-1234512345-07")
    assert "check digits" in wrong["buyer_reference"]
    assert billing_address_problems("public_institution", *full, "04011000-1234512345-06") == {}
    assert normalized_buyer_reference("public_institution", " 991-33333test-33 ") == "991-33333TEST-33"
    assert normalized_buyer_reference("company", "  po-4711 ") == "po-4711"
    assert normalized_buyer_reference("company", "   ") is None
