"""The desk's language rule (issue 15 item 7): the member's choice, else the browser's, else English."""

from __future__ import annotations

import pytest

from shared.rules.staff.desk_language import browser_languages, desk_language

OFFERED = ("en", "de")


def test_the_members_choice_wins_over_the_browser() -> None:
    assert desk_language("de", "en-GB,en;q=0.9", OFFERED, "en") == "de"
    assert desk_language("en", "de-DE,de;q=0.9", OFFERED, "en") == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4", "de"),  # the first the desk offers, by weight
        ("en;q=0.2, de;q=0.8", "de"),
        ("fr, it", "en"),  # none offered: the fallback
        ("", "en"),
        ("de;q=0", "en"),  # q=0 means "not this one"
        ("*", "en"),
        ("de;q=banana", "en"),
        ("DE-at", "de"),
    ],
)
def test_without_a_choice_the_browser_decides_among_the_offered(header: str, expected: str) -> None:
    assert desk_language(None, header, OFFERED, "en") == expected


def test_a_choice_the_desk_does_not_offer_is_not_kept() -> None:
    assert desk_language("xx", "de", OFFERED, "en") == "de"
    assert desk_language("<script>", "", OFFERED, "en") == "en"


def test_an_oversized_header_is_not_read() -> None:
    assert browser_languages("de," * 400) == []
    assert browser_languages("de-CH;q=0.7, en") == ["en", "de"]
