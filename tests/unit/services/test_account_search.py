"""The account search service with an in-memory index: the term's kind decides, the policy's limit caps."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from shared.rules.search.terms import SearchTerm
from shared.services.search.accounts import UnusableTerm, search_accounts


@dataclass
class _Account:
    account_id: str
    company_name: str
    state: str = "trial"
    country: str = "DE"
    edition: str | None = None


class _Index:
    def __init__(self, accounts: list[_Account]) -> None:
        self.accounts = accounts
        self.asked: list[tuple[SearchTerm, int]] = []

    def find_accounts(self, term: SearchTerm, limit: int) -> list[_Account]:
        self.asked.append((term, limit))
        if term.kind != "name":
            return []
        from shared.rules.search.terms import normalize_name

        return [a for a in self.accounts if normalize_name(a.company_name).startswith(term.value)][:limit]


def test_a_name_prefix_finds_accounts_whatever_the_accents():
    index = _Index([_Account("acc_1", "Müller GmbH"), _Account("acc_2", "Meyer AG")])
    kind, found = search_accounts("MULL", index=index, limit=10)
    assert kind == "name" and [hit.account_id for hit in found] == ["acc_1"]
    assert index.asked == [(SearchTerm("name", "mull"), 10)]


def test_the_limit_caps_the_answer():
    index = _Index([_Account(f"acc_{n}", f"Firma {n}") for n in range(30)])
    _, found = search_accounts("firma", index=index, limit=5)
    assert len(found) == 5


def test_an_address_goes_to_the_address_index_not_the_names():
    index = _Index([_Account("acc_1", "erika@beispiel.example")])
    kind, found = search_accounts("erika@beispiel.example", index=index, limit=5)
    assert kind == "email" and found == []


def test_an_empty_term_asks_nothing():
    index = _Index([])
    with pytest.raises(UnusableTerm):
        search_accounts("  ", index=index, limit=5)
    assert index.asked == []
