"""The desk's account search: its index entries, the ≤ 2 requests of a search, and the one-off backfill.

Every search is one Query of the sparse `lookup` index (a name prefix, a VAT ID, a contact's
address hash, a ticket or invoice number) and one BatchGetItem of the accounts it names — never a
Scan. Only the backfill, run once for data written before the index existed, scans the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pynamodb.exceptions import PynamoDBException

from shared.rules.search.terms import SearchTerm, normalize_name, normalize_vat_id
from shared.storage.keys import search as keys
from shared.storage.keys.accounts import ACCOUNT_SK, contact_lookup_key
from shared.storage.keys.billing import invoice_lookup_key
from shared.storage.keys.support import ticket_lookup_key
from shared.storage.models import Account, CocoonItem, SearchEntry, account_pk

ACCOUNT_PK_PREFIX = "ACCOUNT#"


class SearchUnavailable(RuntimeError):
    """The database did not answer the search (PynamoDB's error stays here)."""


def search_entries(account: Account) -> list[SearchEntry]:
    """The index entries of the account's company name and VAT ID: saved in the transaction that sets them."""
    pk = account_pk(account.account_id)
    entries = []
    name = normalize_name(account.company_name or "")
    if name:
        entries.append(
            SearchEntry(
                pk, keys.name_entry_sk(name), account_id=account.account_id, lookup_key=keys.name_lookup_key(name)
            )
        )
    if account.vat_id:
        vat = normalize_vat_id(account.vat_id)
        entries.append(
            SearchEntry(pk, keys.VAT_ENTRY_SK, account_id=account.account_id, lookup_key=keys.vat_lookup_key(vat))
        )
    return entries


def _matches(term: SearchTerm, limit: int) -> Iterable[CocoonItem]:
    index = CocoonItem.lookup_index
    if term.kind == "name":
        prefix = keys.name_entry_sk(term.value)
        return index.query(keys.name_lookup_key(term.value), CocoonItem.sk.startswith(prefix), limit=limit)
    lookup = {
        "vat": keys.vat_lookup_key,
        "email": contact_lookup_key,
        "ticket": ticket_lookup_key,
        "invoice": invoice_lookup_key,
    }[term.kind](term.value)
    return index.query(lookup, limit=limit)


def find_accounts(term: SearchTerm, limit: int) -> list[Account]:
    """The accounts the term names, in the index's order (names alphabetically), at most `limit`."""
    try:
        ids: list[str] = []
        for item in _matches(term, limit):
            account_id = item.pk.removeprefix(ACCOUNT_PK_PREFIX)
            if item.pk.startswith(ACCOUNT_PK_PREFIX) and account_id not in ids:
                ids.append(account_id)
        if not ids:
            return []
        keys_ = [(account_pk(account_id), ACCOUNT_SK) for account_id in ids]
        found = {account.account_id: account for account in Account.batch_get(keys_)}
    except PynamoDBException as exc:
        raise SearchUnavailable(str(type(exc).__name__)) from exc
    # An invoice outlives its deleted account: a number whose account is gone finds nothing.
    return [found[account_id] for account_id in ids if account_id in found]


def backfill_search_entries(progress: Callable[[int, int | None], None] | None = None) -> int:
    """Write the entries of every account written before the index existed; idempotent (a re-run rewrites them).

    A one-off: there is no index of all accounts, so this reads the table once (filtered to accounts).
    """
    written = 0
    with SearchEntry.batch_write() as batch:
        for item in Account.scan():  # PynamoDB filters on the discriminator
            if not isinstance(item, Account):
                continue
            for entry in search_entries(item):
                batch.save(entry)
            written += 1
            if progress is not None:
                progress(written, None)
    return written
