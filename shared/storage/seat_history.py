"""An account's seat events (activations, deactivations) as billing's rules read them (issue 16 item 2)."""

from __future__ import annotations

from shared.rules.billing.history import SeatEvent as SeatFact
from shared.storage.keys.accounts import SEAT_PREFIX
from shared.storage.models import SeatEvent, account_pk


def seat_facts(account_id: str) -> list[SeatFact]:
    """Every seat event of the account, consistently read (a user just deactivated shows at once)."""
    return [
        SeatFact(user_id=item.user_id, user_name=item.user_id, activated=item.activated, at=item.at)
        for item in SeatEvent.query(account_pk(account_id), SeatEvent.sk.startswith(SEAT_PREFIX), consistent_read=True)
        if isinstance(item, SeatEvent)
    ]
