"""The one-off backfill of the desk's open, assignee and account indexes for tickets written before them.

No Scan: every ticket of a queue state is in the queue index already, so the backfill reads it by
state, page by page, and updates a ticket only when its open-index keys differ from what they should
be. The update is conditional on the state and assignee it read, so a ticket changed meanwhile keeps
what its own update wrote (that update set the keys itself). A re-run finds nothing left to write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from shared.rules.support.states import OPEN_STATES, QUEUE_STATES
from shared.storage.desk_queues import open_index_actions
from shared.storage.errors import StorageUnavailable, is_condition_failure
from shared.storage.keys import support as keys
from shared.storage.models import Ticket

PAGE = 100  # tickets per Query page of the queue index


@dataclass
class Backfilled:
    read: int = 0
    written: int = 0
    changed_meanwhile: int = 0  # skipped: its own update had written the keys


def _wanted(ticket: Ticket) -> tuple[str | None, str | None, str | None]:
    if ticket.state not in OPEN_STATES:
        return None, None, None
    assignee = keys.assignee_queue_key(ticket.assignee_id) if ticket.assignee_id else None
    return keys.open_queue_key(ticket.region), keys.account_queue_key(ticket.account_id), assignee


def needs_keys(ticket: Ticket) -> bool:
    return _wanted(ticket) != (ticket.open_queue, ticket.account_queue, ticket.assignee_queue)


def backfill_open_indexes(progress: Callable[[int, int], None] | None = None) -> Backfilled:
    """Write the open-index keys of every ticket in the queue index that lacks them; idempotent, paged."""
    done = Backfilled()
    for state in QUEUE_STATES:
        for ticket in Ticket.queue_index.query(state, page_size=PAGE):
            if not isinstance(ticket, Ticket):
                continue
            done.read += 1
            if ticket.state == state and needs_keys(ticket):
                assignee = ticket.assignee_id
                same_assignee = Ticket.assignee_id == assignee if assignee else Ticket.assignee_id.does_not_exist()
                try:
                    ticket.update(
                        actions=open_index_actions(ticket.account_id, ticket.region, ticket.state, ticket.assignee_id),
                        condition=(Ticket.state == state) & same_assignee,
                    )
                    done.written += 1
                except UpdateError as exc:
                    if not is_condition_failure(exc):
                        raise StorageUnavailable() from exc  # a re-run goes on where this one stopped
                    done.changed_meanwhile += 1
            if progress is not None:
                progress(done.read, done.written)
    return done
