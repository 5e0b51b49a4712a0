"""Choosing the desk language as a use case, with an in-memory store of members."""

from __future__ import annotations

import pytest

from shared.services.staff.admin import StaffError
from shared.services.staff.desk_language import choose_desk_language


class FakeMembers:
    def __init__(self, *staff_ids: str) -> None:
        self.languages: dict[str, str | None] = dict.fromkeys(staff_ids)

    def set_desk_language(self, staff_id: str, language: str) -> None:
        if staff_id not in self.languages:
            raise LookupError(staff_id)
        self.languages[staff_id] = language


def test_an_offered_language_is_kept_on_the_member() -> None:
    members = FakeMembers("st_1")
    assert choose_desk_language("st_1", "de", ("en", "de"), members) == "de"
    assert members.languages == {"st_1": "de"}


def test_a_language_the_desk_does_not_offer_is_refused_naming_the_field() -> None:
    members = FakeMembers("st_1")
    with pytest.raises(StaffError) as refused:
        choose_desk_language("st_1", "fr", ("en", "de"), members)
    assert refused.value.field == "language" and members.languages == {"st_1": None}


def test_a_removed_member_is_refused() -> None:
    with pytest.raises(StaffError) as refused:
        choose_desk_language("st_gone", "de", ("en", "de"), FakeMembers())
    assert refused.value.code == "staff_not_found"


def test_the_offered_languages_default_to_the_policys() -> None:
    members = FakeMembers("st_1")
    choose_desk_language("st_1", "en", store=members)
    with pytest.raises(StaffError):
        choose_desk_language("st_1", "tr", store=members)  # a customer language, not a desk one
