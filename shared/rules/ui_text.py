"""A marker for UI text that is written in one place and translated where it is shown.

`N_("…")` returns its text unchanged: it only lets `pybabel extract` (desk.babel.cfg) find the
msgid, so a notice or a queue title kept in a rule or a handler lands in the translator's catalog
and the page (which calls gettext on it) shows it in the reader's language.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name for "mark, do not translate yet"
    return text
