"""Canned replies' placeholders (pure rule): filled when every value exists, refused naming the missing one."""

from __future__ import annotations

import pytest

from shared.rules.support.canned import MissingValue, fill, unfilled_placeholders, unknown_placeholders

TEXT = "Guten Tag {contact_name},\n\nzu Ticket {ticket_number}: bitte neu starten.\n\n{agent_name}"


def test_every_placeholder_is_filled():
    filled = fill(TEXT, {"contact_name": "Erika", "ticket_number": "2026112310001", "agent_name": "Alex"})
    assert filled == "Guten Tag Erika,\n\nzu Ticket 2026112310001: bitte neu starten.\n\nAlex"
    assert unfilled_placeholders(filled) == ()


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_a_missing_value_is_refused_never_rendered(missing):
    with pytest.raises(MissingValue) as refused:
        fill(TEXT, {"contact_name": missing, "ticket_number": "2026112310001", "agent_name": "Alex"})
    assert refused.value.names == ("contact_name",) and "{contact_name}" in str(refused.value)


def test_unknown_placeholders_are_named_and_json_braces_are_not_placeholders():
    assert unknown_placeholders("Hi {customer}, {contact_name}") == ("customer",)
    assert unknown_placeholders('Send {"a": 1}') == ()
    assert unfilled_placeholders("Dear {contact_name}") == ("contact_name",)
