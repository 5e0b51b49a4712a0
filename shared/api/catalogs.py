"""gettext catalogs by domain ("account" for the customer pages, "desk" for the staff desk).

A .po under shared/locale/<language>/LC_MESSAGES/<domain>.po is compiled when first loaded: no
build step to forget, and the .po a translator edits stays the one source. A missing catalog gives
English, the templates' own text (each domain's translation test fails on it).
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

LOCALE_ROOT = Path(__file__).resolve().parents[1] / "locale"


def catalog_path(domain: str, language: str) -> Path:
    return LOCALE_ROOT / language / "LC_MESSAGES" / f"{domain}.po"


@cache
def compiled_catalog(domain: str, language: str) -> gettext.NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = catalog_path(domain, language)
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
