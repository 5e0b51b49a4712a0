"""What the desk's account page reads: the account's partition (one Query) and its addresses' stops (one batch read)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.storage.accounts import account_items
from shared.storage.models import SuppressedAddress
from shared.storage.suppressions import suppression_key

__all__ = ["account_items", "suppressions_of"]


def suppressions_of(addresses: Iterable[str]) -> dict[str, SuppressedAddress]:
    """The stop of each address that has one, by address (keys are hashes: the addresses come from the account)."""
    by_key = {suppression_key(address): address for address in sorted(set(addresses))}
    if not by_key:
        return {}
    found: dict[str, SuppressedAddress] = {}
    for item in SuppressedAddress.batch_get(list(by_key)):
        address = by_key.get((item.pk, item.sk))
        if address is not None:
            found[address] = item
    return found


