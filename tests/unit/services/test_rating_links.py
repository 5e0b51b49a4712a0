"""The rating links' service without a database: minted for the ticket and verdict, checked before any read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.policy import get_policy
from shared.services.support import rating

SOLVED = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def links(number: str = "2026112310001") -> dict[str, dict[str, str]]:
    minted = rating.rating_links(number, SOLVED, get_policy())
    return {verdict: {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()} for verdict, url in minted.items()}


@pytest.fixture
def tickets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An in-memory ticket store that records every read (so a refused link can be shown to read nothing)."""
    reads: list[str] = []

    def find_ticket(number: str) -> object:
        reads.append(number)
        return SimpleNamespace(number=number)

    monkeypatch.setattr("shared.storage.tickets.find_ticket", find_ticket)
    return reads


def test_a_genuine_link_names_its_ticket_within_its_days(tickets: list[str]) -> None:
    good = links()["good"]
    ticket = rating.checked_rating_link("2026112310001", "good", good["token"], SOLVED + timedelta(days=6))
    assert ticket.number == "2026112310001" and tickets == ["2026112310001"]


@pytest.mark.parametrize(
    ("number", "verdict", "token_of"),
    [
        ("2026112310001", "bad", "good"),  # the verdict flipped
        ("2026112310002", "good", "good"),  # another ticket
        ("2026112310001", "meh", "good"),  # no such verdict
    ],
)
def test_a_tampered_link_is_refused_before_any_read(tickets: list[str], number: str, verdict: str,
                                                    token_of: str) -> None:
    with pytest.raises(rating.InvalidLink):
        rating.checked_rating_link(number, verdict, links()[token_of]["token"], SOLVED)
    assert tickets == []


def test_a_truncated_or_empty_token_is_refused_before_any_read(tickets: list[str]) -> None:
    token = links()["good"]["token"]
    for presented in ("", token[:-1], token + "A"):
        with pytest.raises(rating.InvalidLink):
            rating.checked_rating_link("2026112310001", "good", presented, SOLVED)
    assert tickets == []


def test_the_link_expires_after_the_policys_days(tickets: list[str]) -> None:
    token = links()["bad"]["token"]
    days = get_policy().support.rating_link_days
    with pytest.raises(rating.LinkExpired):
        rating.checked_rating_link("2026112310001", "bad", token, SOLVED + timedelta(days=days))
