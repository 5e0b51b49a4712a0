"""Find accounts for staff (SPEC §13): one term, read by its shape, answered from the lookup index.

Staff see every account by design (any role); the route or page in front decides who is staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from shared.rules.search.terms import SearchTerm, UnusableTerm, read_term

__all__ = ["AccountFound", "UnusableTerm", "search_accounts"]


class AccountIndex(Protocol):
    def find_accounts(self, term: SearchTerm, limit: int) -> list[Any]: ...


@dataclass(frozen=True)
class AccountFound:
    account_id: str
    company_name: str
    state: str
    country: str
    edition: str | None


class _StoredIndex:
    def find_accounts(self, term: SearchTerm, limit: int) -> list[Any]:
        from shared.storage.search import find_accounts

        return find_accounts(term, limit)


def search_accounts(
    text: str, *, index: AccountIndex | None = None, limit: int | None = None
) -> tuple[str, list[AccountFound]]:
    """The kind the term was read as, and the accounts it finds (raises UnusableTerm for an empty one)."""
    term = read_term(text)
    if limit is None:
        from shared.policy import get_policy

        limit = get_policy().desk.search_results
    found = (index or _StoredIndex()).find_accounts(term, limit)
    return term.kind, [
        AccountFound(
            account_id=account.account_id,
            company_name=account.company_name,
            state=account.state,
            country=account.country,
            edition=account.edition,
        )
        for account in found[:limit]
    ]
