"""Canned replies (issue 15 item 2): which placeholders a reply may use, and filling them in.

A reply is filled only when every placeholder it names has a value: a missing one is refused,
never sent as "{contact_name}". An unknown placeholder is refused when the admin saves the reply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PLACEHOLDERS = ("contact_name", "ticket_number", "agent_name")
_NAMED = re.compile(r"\{([^{}\s]*)\}")


class MissingValue(ValueError):
    """A placeholder of the reply has no value for this ticket; the message names it."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(f"no value for {', '.join('{' + name + '}' for name in names)}")
        self.names = names


def named_placeholders(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_NAMED.findall(text)))


def unknown_placeholders(text: str) -> tuple[str, ...]:
    return tuple(name for name in named_placeholders(text) if name not in PLACEHOLDERS)


def unfilled_placeholders(text: str) -> tuple[str, ...]:
    """Known placeholders still in a text (a reply about to be mailed must have none)."""
    return tuple(name for name in named_placeholders(text) if name in PLACEHOLDERS)


def fill(text: str, values: Mapping[str, str | None]) -> str:
    """The reply with its placeholders' values; MissingValue naming those without one."""
    missing = tuple(name for name in named_placeholders(text) if not (values.get(name) or "").strip())
    if missing:
        raise MissingValue(missing)
    return _NAMED.sub(lambda match: str(values[match.group(1)]).strip(), text)
