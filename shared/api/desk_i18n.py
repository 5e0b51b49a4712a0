"""The desk's UI text in the member's language (issue 15 item 7): gettext domain "desk", catalogs by Babel.

The desk has its own domain (shared/locale/<language>/LC_MESSAGES/desk.po, extracted with
`pybabel extract -F desk.babel.cfg -o shared/locale/desk.pot .`), apart from the customer pages'
"account" domain: the desk speaks the policy's `[desk] ui_languages` (en, de), the customer pages
all twelve, and neither test demands the other's strings. A .po is compiled when first loaded (as
the customer pages do): no build step to forget, the .po a translator edits is the one source.
English is the templates' own text; a string missing in a catalog shows in English, and
tests/unit/test_desk_translations.py fails on it.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from shared.api.catalogs import catalog_path as shared_catalog_path
from shared.api.catalogs import compiled_catalog

DOMAIN = "desk"


def catalog_path(language: str) -> Path:
    return shared_catalog_path(DOMAIN, language)


def desk_translations(language: str) -> gettext.NullTranslations:
    return compiled_catalog(DOMAIN, language)


def request_desk_language(member: object | None) -> str:
    """The member's choice, else the browser's Accept-Language among the desk's languages, else the first."""
    from shared.api.context import current_scope
    from shared.policy import get_policy
    from shared.rules.staff.desk_language import desk_language

    offered = tuple(get_policy().desk.ui_languages)
    chosen = getattr(member, "language", None)
    try:
        header = current_scope().accept_language
    except RuntimeError:  # rendered outside a request (a script): no browser to ask
        header = ""
    return desk_language(chosen, header, offered, offered[0])
