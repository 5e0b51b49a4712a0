"""Which scheduled life-cycle action still applies to an account in a given state (SPEC §2, §5).

A scheduled action may have outlived its reason (a withdrawn cancellation, a reactivation, a
deletion): the job then drops it instead of acting. `None` is an account that no longer exists.
"""

from __future__ import annotations

from typing import Final

_APPLIES_IN: Final[dict[str, frozenset[str | None]]] = {
    "purge-unverified": frozenset({None, "pending_verification"}),
    "cancellation-effective": frozenset({"customer"}),
    "deletion-warning": frozenset({"deactivated"}),
    "purge": frozenset({None, "deactivated"}),
}


class UnknownLifeCycleAction(ValueError):
    pass


def life_cycle_action_applies(action: str, state: str | None) -> bool:
    """Fail closed: an action we do not know is an error, never silently acted on."""
    if action not in _APPLIES_IN:
        raise UnknownLifeCycleAction(f"unknown lifecycle action {action!r}")
    return state in _APPLIES_IN[action]
