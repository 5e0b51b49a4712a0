"""The language the desk speaks to a staff member (issue 15 item 7): their own choice, else the browser's.

Pure: the offered languages and the fallback come from the policy, the header from the request.
An unknown or garbled choice or header never fails a page: it falls back (the desk must still open).
"""

from __future__ import annotations

MAX_HEADER_LENGTH = 500  # a longer Accept-Language is not a browser's: read none of it


def browser_languages(accept_language: str) -> list[str]:
    """The primary language tags of an Accept-Language header, most wanted first (q=0 means "not this")."""
    if not accept_language or len(accept_language) > MAX_HEADER_LENGTH:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        primary = tag.strip().split("-")[0].lower()
        if primary and primary != "*" and primary.isalpha() and 0 < quality <= 1:
            weighted.append((-quality, position, primary))
    return [tag for _, _, tag in sorted(weighted)]


def desk_language(chosen: str | None, accept_language: str, offered: tuple[str, ...], fallback: str) -> str:
    """The member's choice if the desk offers it, else the browser's first offered one, else the fallback."""
    if chosen in offered:
        return str(chosen)
    for tag in browser_languages(accept_language):
        if tag in offered:
            return tag
    return fallback
