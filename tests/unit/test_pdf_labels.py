"""Every language of the policy prints every label of the invoice PDF (as every mail template exists in each)."""

from __future__ import annotations

import pytest

from shared.documents.labels import LABEL_NAMES, LABELS, labels_for
from shared.policy import get_policy


@pytest.mark.parametrize("language", get_policy().languages)
def test_every_language_has_every_label(language: str) -> None:
    words = LABELS[language]
    assert set(words) == set(LABEL_NAMES)
    assert all(value.strip() for value in words.values())
    if language != "en":
        assert words["invoice"] != LABELS["en"]["invoice"] or words["credit_note"] != LABELS["en"]["credit_note"]


def test_an_unknown_language_prints_english() -> None:
    assert labels_for("xx") == LABELS["en"]
