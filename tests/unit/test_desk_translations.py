"""The desk's UI text is gettext and translated (issue 15 item 7): a German catalog with every desk msgid, and
no text left in a desk template outside gettext."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
from babel.messages.pofile import read_po

from shared.api.catalogs import LOCALE_ROOT
from shared.api.desk_i18n import catalog_path
from shared.policy import get_policy
from tests.unit.desk_catalog import PROJECT, desk_msgids

DESK_TEMPLATES = PROJECT / "shared" / "templates" / "desk"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more: a word someone would read
LABEL_ATTRIBUTE = re.compile(r"""\b(?:aria-label|title|placeholder|alt)=(["'])([^"']*)\1""")


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with catalog_path(language).open("rb") as source:
        return read_po(source, locale=language, domain="desk")


def test_the_desk_has_strings_and_the_template_catalog_lists_them_all() -> None:
    strings = desk_msgids()
    assert len(strings) > 150
    assert {"Mine", "The reply is on its way to the customer.", "answered"} <= strings  # Python's N_ texts too
    with (LOCALE_ROOT / "desk.pot").open("rb") as source:
        listed = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    assert listed == strings  # re-extract with desk.babel.cfg when it differs


def test_the_desk_languages_are_the_policys_and_english_is_the_templates_own() -> None:
    languages = get_policy().desk.ui_languages
    assert languages[0] == "en" and "de" in languages
    for language in languages[1:]:
        assert catalog_path(language).is_file(), f"no desk catalog for {language}"


@pytest.mark.parametrize("language", get_policy().desk.ui_languages[1:])
def test_every_desk_string_is_translated(language: str) -> None:
    catalog = _catalog(language)
    untranslated = []
    for msgid in sorted(desk_msgids()):
        message = catalog.get(msgid)
        strings = message.string if message is not None else None
        texts = list(strings) if isinstance(strings, tuple) else [strings]
        if message is None or not all(texts) or message.fuzzy:
            untranslated.append(msgid)
        elif any(sorted(PLACEHOLDER.findall(str(t))) != sorted(PLACEHOLDER.findall(msgid)) for t in texts):
            untranslated.append(f"{msgid} (placeholders differ)")
    assert untranslated == [], f"{language}: {untranslated}"


def untranslated_template_text(source: str) -> list[str]:
    """Words in a template outside gettext: text between tags, and readable attributes, not in `_()` or a trans block."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # only lexed, never rendered
    parts: list[str] = []
    in_trans = False
    tokens = [token for token in env.lex(source) if token[1] != "whitespace"]
    for position, (_, kind, value) in enumerate(tokens):
        if kind == "name" and value in ("trans", "endtrans") and tokens[position - 1][1] == "block_begin":
            in_trans = value == "trans"
        if kind == "data" and not in_trans:
            parts.append(value)
        elif kind in ("variable_begin", "block_begin"):
            parts.append("\x00")  # an expression or a tag: what it shows is gettext's or data
    text = "".join(parts)
    found = [word for _, label in LABEL_ATTRIBUTE.findall(text) for word in WORD.findall(label)]
    text = re.sub(r"<[^>]*>", " ", text)  # markup and its attributes (ids, classes, urls) are not read
    text = re.sub(r"&\w+;", " ", text)
    return found + WORD.findall(text)


def test_no_desk_template_has_text_outside_gettext() -> None:
    leftovers = {
        path.name: words
        for path in sorted(DESK_TEMPLATES.glob("*.html"))
        if (words := untranslated_template_text(path.read_text()))
    }
    assert leftovers == {}


def test_the_literal_check_sees_an_unwrapped_text_and_accepts_a_wrapped_one() -> None:
    assert untranslated_template_text('<p>Send reply</p><nav aria-label="Desk"></nav>') == ["Desk", "Send", "reply"]
    assert untranslated_template_text('<p>{{ _("Send reply") }}</p>{% trans %}A <b>b</b>{% endtrans %}') == []


def test_the_catalog_is_compiled_when_loaded_and_speaks_german() -> None:
    from shared.api.desk_i18n import desk_translations

    german = desk_translations("de")
    assert german.gettext("Send reply") == "Antwort senden"
    assert german.ngettext("%(num)d account found by %(kind)s", "%(num)d accounts found by %(kind)s", 2).startswith(
        "%(num)d Konten"
    )
    assert desk_translations("en").gettext("Send reply") == "Send reply"


def test_the_desk_catalogs_are_in_the_package_data() -> None:
    pyproject = (PROJECT / "pyproject.toml").read_text()
    assert '"locale/**/*"' in pyproject  # setuptools ships shared/locale/**, the desk's .po with it
    assert Path(catalog_path("de")).is_relative_to(PROJECT / "shared" / "locale")
