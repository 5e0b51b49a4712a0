"""The canned replies' item keys, built in one place: one partition per language, one item per reply."""

from __future__ import annotations


def canned_pk(language: str) -> str:
    return f"CANNED#{language}"


def canned_sk(reply_id: str) -> str:
    return f"REPLY#{reply_id}"


CANNED_PREFIX = "REPLY#"
