"""Every string of the customer pages is translated in every language (issue 16 item 4): no fallback slips in."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from shared.api.account_i18n import catalog_path
from shared.api.catalogs import LOCALE_ROOT
from shared.policy import get_policy

PLACEHOLDER = re.compile(r"%\(\w+\)s")


def template_strings() -> set[str]:
    found = extract_from_dir(
        str(LOCALE_ROOT.parent / "templates" / "account"),
        method_map=[("**.html", "jinja2.ext:babel_extract")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    return {str(message) for _, _, message, _, _ in found}


def test_the_pages_have_strings_and_the_template_catalog_lists_them_all() -> None:
    strings = template_strings()
    assert len(strings) > 30
    with (LOCALE_ROOT / "account.pot").open("rb") as source:
        assert {str(m.id) for m in read_po(source) if m.id} == strings  # re-extract with babel.cfg when it differs


@pytest.mark.parametrize("language", get_policy().languages)
def test_every_string_is_translated(language: str) -> None:
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language)
    untranslated = []
    for msgid in sorted(template_strings()):
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            untranslated.append(msgid)
        elif sorted(PLACEHOLDER.findall(str(message.string))) != sorted(PLACEHOLDER.findall(msgid)):
            untranslated.append(f"{msgid} (placeholders differ)")
    assert untranslated == [], f"{language}: {untranslated}"
