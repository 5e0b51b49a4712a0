"""Every key of the desk's account search and of the staff actions' history, built here only.

A company name is found by prefix: its entries share one lookup key per first character of the
normal form (spreading 50,000 accounts over many index partitions) and sort by the normal form,
so a prefix is one Query with `begins_with`. A VAT ID is found by its compact form. E-mail
addresses, ticket and invoice numbers already have lookup keys (keys.accounts, support, billing).
"""

from __future__ import annotations

from datetime import datetime

SEARCH_PREFIX = "SEARCH#"
NAME_ENTRY_PREFIX = "SEARCH#NAME#"
VAT_ENTRY_SK = "SEARCH#VAT"
STAFF_ACTION_PREFIX = "STAFFACTION#"


def name_lookup_key(normal_name: str) -> str:
    """The index partition of every name starting with the same character."""
    return f"{NAME_ENTRY_PREFIX}{normal_name[:1]}"


def name_entry_sk(normal_name: str) -> str:
    """Sorted by the normal form: a prefix search reads `begins_with(sk, name_entry_sk(prefix))`."""
    return f"{NAME_ENTRY_PREFIX}{normal_name}"


def vat_lookup_key(compact_vat_id: str) -> str:
    return f"SEARCH#VAT#{compact_vat_id}"


def staff_action_sk(at: datetime, action_id: str) -> str:
    """A staff action on the account, in the account's partition, sorted by time."""
    return f"{STAFF_ACTION_PREFIX}{at.isoformat()}#{action_id}"
