"""A contact's choice of language (issue 16 item 4): remembered on their user record, used by every page.

On the user record rather than the session, so it survives signing out and in, and the mails
addressed to that contact (ticket mails, the sign-in link) can read it too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.services.account_pages.viewer import Viewer, account_language

if TYPE_CHECKING:
    from shared.policy import Policy


class UnknownLanguage(Exception):
    """Not one of the policy's languages."""


class ContactGone(Exception):
    """The contact was deactivated or removed meanwhile."""


def choose_language(viewer: Viewer, language: str, policy: Policy) -> None:
    from shared.storage.contact_language import save_contact_language

    if language not in policy.languages:
        raise UnknownLanguage()
    if not save_contact_language(viewer.account_id, viewer.user_id, language):
        raise ContactGone()


def viewer_language(viewer: Viewer, policy: Policy) -> str | None:
    """The contact's choice, else the account's language (None: the policy's fallback)."""
    from shared.rules.accounts.language import reader_language
    from shared.storage.contact_language import chosen_language

    chosen = chosen_language(viewer.account_id, viewer.user_id)
    return reader_language(chosen, account_language(viewer), policy.languages)
