"""The desk's words for the codes it shows (ticket states, priorities, account states).

The JSON API, the CLI and the stored items keep the codes; a page shows the label in the member's
language. A code without a label is shown as it is, so a new state never breaks a page.
"""

from __future__ import annotations

from typing import Final

from shared.rules.ui_text import N_

CODE_LABELS: Final[dict[str, str]] = {
    # ticket states
    "new": N_("new"),
    "assigned": N_("assigned"),
    "in_progress": N_("in progress"),
    "waiting_for_customer": N_("waiting for customer"),
    "solved": N_("solved"),
    "closed": N_("closed"),
    # priorities
    "urgent": N_("urgent"),
    "high": N_("high"),
    "normal": N_("normal"),
    "low": N_("low"),
    # account states
    "pending_verification": N_("pending verification"),
    "trial": N_("trial"),
    "customer": N_("customer"),
    "deactivated": N_("deactivated"),
}


def code_label(code: str) -> str:
    """The msgid a page translates for `code`; the code itself when it has none."""
    return CODE_LABELS.get(code, code)
