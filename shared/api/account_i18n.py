"""The customer pages' languages (issue 16 item 4): gettext catalogs a translator edits, dates with Babel.

The catalogs are the .po files under shared/locale/<language>/LC_MESSAGES/account.po (extracted
from the templates with `pybabel extract -F babel.cfg`); they are compiled when first loaded, so
there is no build step to forget and the .po stays the one source. A string missing in a
catalog shows in English, and tests/unit/test_account_translations.py fails on it.
"""

from __future__ import annotations

import gettext
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

LOCALE_ROOT = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "account"


def catalog_path(language: str) -> Path:
    return LOCALE_ROOT / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = catalog_path(language)
    if not path.is_file():
        return gettext.NullTranslations()  # English is the templates' own text
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


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
