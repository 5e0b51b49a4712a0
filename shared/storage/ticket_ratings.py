"""A ticket's satisfaction rating, written once under a condition (issue 16): the first rating decides."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from shared.rules.support.rating import RATEABLE_STATES
from shared.storage.errors import StorageUnavailable, is_condition_failure
from shared.storage.models import Ticket


def record_rating(ticket: Ticket, rating: str, comment: str, now: datetime) -> bool:
    """Store the rating; False when the ticket was rated already or is no longer solved (nothing changed)."""
    condition = Ticket.rated_at.does_not_exist() & Ticket.state.is_in(*RATEABLE_STATES)
    actions: list[Action] = [Ticket.rating.set(rating), Ticket.rated_at.set(now)]
    if comment:
        actions.append(Ticket.rating_comment.set(comment))
    try:
        ticket.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise StorageUnavailable(str(exc)) from exc
    return True
