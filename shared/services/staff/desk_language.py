"""A staff member chooses the desk's UI language (issue 15 item 7): one of the policy's desk languages.

The choice is stored on the member, who is read on every request, so the next page speaks it.
Canned replies do not follow it: they follow the account's language (shared/services/support/canned.py).
"""

from __future__ import annotations

from typing import Protocol

from shared.services.staff.admin import StaffError


class LanguageStore(Protocol):
    def set_desk_language(self, staff_id: str, language: str) -> None: ...  # raises LookupError when gone


class StoredLanguages:
    def set_desk_language(self, staff_id: str, language: str) -> None:
        from shared.storage.staff_desk import set_desk_language

        set_desk_language(staff_id, language)


def offered_languages() -> tuple[str, ...]:
    from shared.policy import get_policy

    return tuple(get_policy().desk.ui_languages)


def choose_desk_language(
    staff_id: str, language: str, offered: tuple[str, ...] | None = None, store: LanguageStore | None = None
) -> str:
    """Keep the member's choice; a language the desk does not offer is refused naming `language`."""
    offered = offered_languages() if offered is None else offered
    if language not in offered:
        raise StaffError("invalid_language", "language", f"language must be one of {', '.join(offered)}")
    try:
        (store or StoredLanguages()).set_desk_language(staff_id, language)
    except LookupError as exc:  # StaffMemberGone: the member was removed while the page was open
        raise StaffError("staff_not_found", "staff_id", "this staff member does not exist any more") from exc
    return language
