"""The customer pages' languages (issue 16 item 4): gettext catalogs a translator edits, dates with Babel.

The catalogs are the .po files under shared/locale/<language>/LC_MESSAGES/account.po (extracted
from the templates with `pybabel extract -F babel.cfg`); they are compiled when first loaded, so
there is no build step to forget and the .po stays the one source. A string missing in a
catalog shows in English, and tests/unit/test_account_translations.py fails on it.
"""

from __future__ import annotations

import gettext
from datetime import date
from pathlib import Path

from shared.api.catalogs import catalog_path as shared_catalog_path
from shared.api.catalogs import compiled_catalog

DOMAIN = "account"


def catalog_path(language: str) -> Path:
    return shared_catalog_path(DOMAIN, language)


def translations(language: str) -> gettext.NullTranslations:
    return compiled_catalog(DOMAIN, language)


def page_language(wanted: str | None, languages: tuple[str, ...], fallback: str) -> str:
    """The contact's chosen language, else the account's; an unknown one falls back (never an error)."""
    return wanted if wanted in languages else fallback


def long_date(day: date | str | None, language: str) -> str:
    """A day in the language's long form; stored days are ISO strings."""
    from babel.dates import format_date

    if isinstance(day, str):
        day = date.fromisoformat(day)
    return "" if day is None else format_date(day, format="long", locale=language)


def money(amount: object, currency: str, language: str) -> str:
    """An amount (a decimal string, as stored) in the language's currency format."""
    from decimal import Decimal

    from babel.numbers import format_currency

    return format_currency(Decimal(str(amount)), currency, locale=language)
