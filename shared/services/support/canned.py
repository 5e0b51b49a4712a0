"""Canned replies (issue 15 item 2): admins keep them per language; the reply form offers the account's.

The placeholders are the rules' (shared/rules/support/canned.py); a reply whose placeholder has no
value for this ticket is offered as unusable with the reason, never filled with "{...}".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.rules.identity import new_id
from shared.rules.support.canned import PLACEHOLDERS, MissingValue, fill, unknown_placeholders


class CannedRefused(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class OfferedReply:
    reply_id: str
    title: str
    text: str | None  # filled for this ticket; None when a placeholder has no value
    problem: str  # why it cannot be used here


def _language(language: str) -> str:
    from shared.policy import get_policy

    if language not in get_policy().languages:
        raise CannedRefused("language", f"one of {', '.join(get_policy().languages)}")
    return language


def replies_of(language: str) -> list[Any]:
    from shared.storage.canned_replies import replies_in

    return replies_in(_language(language))


def add_reply(language: str, title: str, text: str, staff_id: str, now: datetime) -> Any:
    from shared.storage.canned_replies import save_reply

    unknown = unknown_placeholders(text) + unknown_placeholders(title)
    if unknown:
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise CannedRefused("text", f"unknown placeholder {{{unknown[0]}}}; known: {known}")
    return save_reply(new_id("cr_"), _language(language), title, text, staff_id, now)


def delete_reply(language: str, reply_id: str) -> None:
    from shared.storage.canned_replies import delete_reply as delete

    delete(_language(language), reply_id)


def offered_replies(ticket: Any, agent_name: str) -> tuple[str, list[OfferedReply]]:
    """The account language's replies filled in for this ticket and agent (the language, the replies)."""
    from shared.storage.canned_replies import account_language, replies_in

    language = account_language(ticket.account_id)
    if not language:
        return "", []
    values = {"contact_name": ticket.requester_name, "ticket_number": ticket.number, "agent_name": agent_name}
    offered: list[OfferedReply] = []
    for reply in replies_in(language):
        try:
            offered.append(OfferedReply(reply.reply_id, reply.title, fill(reply.text, values), ""))
        except MissingValue as exc:
            offered.append(OfferedReply(reply.reply_id, reply.title, None, str(exc)))
    return language, offered
