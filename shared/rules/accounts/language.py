"""Which language a contact reads (issue 16): their own choice, else the account's. Pure."""

from __future__ import annotations

from collections.abc import Collection


def reader_language(chosen: str | None, account_language: str | None, languages: Collection[str]) -> str | None:
    """The contact's choice when we speak it, else the account's language (None: the caller's fallback)."""
    return chosen if chosen in languages else account_language
