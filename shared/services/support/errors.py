"""The support services' refusals: what the desk and the customers' links answer as a 4xx."""

from __future__ import annotations


class ProcessError(Exception):
    """The change is not allowed in the ticket's state; the message says why."""


class AlreadyDecided(Exception):
    """A link that decides something was used already: it decides once, so nothing changes."""


class LinkSuperseded(Exception):
    """A newer authorization request replaced the one this link was mailed for."""
