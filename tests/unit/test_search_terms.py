"""The desk's search terms (pure): which index a term goes to, and the one normal form of names and VAT IDs."""

from __future__ import annotations

import pytest

from shared.rules.search.terms import UnusableTerm, normalize_name, normalize_vat_id, read_term


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("Müller GmbH", "muller gmbh"),
        ("MUELLER gmbh", "mueller gmbh"),
        ("  Société   Générale ", "societe generale"),
        ("Straße AG", "strasse ag"),
        ("ﬁne Ltd", "fine ltd"),
        ("Ærø ApS", "ærø aps"),  # letters, not letters with marks: kept
        ("ÇAĞRI A.Ş.", "cagri a.s."),
    ],
)
def test_names_are_case_and_accent_insensitive(typed, normal):
    assert normalize_name(typed) == normal


def test_a_prefix_of_a_name_is_a_prefix_of_its_normal_form():
    assert normalize_name("Müllerei Schön KG").startswith(normalize_name("MULLER"))


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("Erika@Beispiel.example", "email", "erika@beispiel.example"),
        ("2026112310001", "ticket", "2026112310001"),
        ("2026-000042", "invoice", "2026-000042"),
        ("de 136 695 976", "vat", "DE136695976"),
        ("ATU13585627", "vat", "ATU13585627"),
        ("Beispiel", "name", "beispiel"),
        ("DE Solutions", "name", "de solutions"),
        ("２０２６１１２３１０００１", "name", "2026112310001"),  # full-width digits are no ticket number
    ],
)
def test_a_term_goes_to_the_index_its_shape_names(typed, kind, value):
    term = read_term(typed)
    assert (term.kind, term.value) == (kind, value)


@pytest.mark.parametrize("typed", ["", "   ", "\u0301\u0301", "a" * 201])
def test_an_unusable_term_is_refused(typed):
    with pytest.raises(UnusableTerm):
        read_term(typed)


def test_vat_ids_compact_and_upper_case():
    assert normalize_vat_id("de-136.695/976") == "DE136695976"
