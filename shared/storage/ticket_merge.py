"""A merge's writes, in one transaction: the merged ticket's messages are copied into the target's thread,
the merged ticket closes pointing to the target (its watches go) and the target gets an internal note.

Conditioned on both tickets being open and the merged one not merged before, so a re-run or a double
click copies nothing twice. A thread too long for one transaction is refused, never half copied.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.rules.identity import new_id
from shared.rules.support.states import QUEUE_STATES
from shared.storage.db import ConditionFailed, transaction
from shared.storage.item_size import item_bytes
from shared.storage.keys import support as keys
from shared.storage.models import ScheduledAction, StaffMember, Ticket, TicketMessage, account_pk
from shared.storage.schedule import action_sk
from shared.storage.tickets import CLOSE_JOB, FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB, ticket_messages

# DynamoDB's transaction: at most 100 items and 4 MB; the merge's own writes are 6 items.
MAX_COPIED = 90
MAX_TRANSACTION_BYTES = 3_800_000


class MergeConflict(Exception):
    """One of the tickets changed meanwhile (closed, or merged elsewhere): nothing was written."""


class ThreadTooLong(Exception):
    """The merged ticket's thread does not fit one transaction: nothing was written."""


def _copy(message: TicketMessage, target: Ticket) -> TicketMessage:
    message_id = new_id("msg_")
    return TicketMessage(
        target.pk,
        keys.message_sk(target.number, message.created_at, message_id),
        account_id=target.account_id,
        ticket_number=target.number,
        message_id=message_id,
        kind=message.kind,
        channel=message.channel,
        author=message.author,
        text=message.text,
        created_at=message.created_at,
        raw_key=message.raw_key,
        attachments=message.attachments,
    )


def _note(target: Ticket, agent: StaffMember, text: str, now: datetime) -> TicketMessage:
    message_id = new_id("msg_")
    return TicketMessage(
        target.pk, keys.message_sk(target.number, now, message_id), account_id=target.account_id,
        ticket_number=target.number, message_id=message_id, kind="note", channel="staff", author=agent.name,
        text=text, created_at=now,
    )


def save_merge(merged: Ticket, target: Ticket, agent: StaffMember, note: str, now: datetime) -> int:
    """Write the merge; how many messages were copied. MergeConflict or ThreadTooLong: nothing written."""
    copies = [_copy(message, target) for message in ticket_messages(merged)]
    writes: list[Any] = [*copies, _note(target, agent, note, now)]
    if len(copies) > MAX_COPIED or sum(item_bytes(item) for item in writes) > MAX_TRANSACTION_BYTES:
        raise ThreadTooLong()
    try:
        with transaction() as tx:
            tx.update(
                merged,
                actions=[
                    Ticket.state.set("closed"),
                    Ticket.closed_at.set(now),
                    Ticket.merged_into.set(target.number),
                    Ticket.queue_state.remove(),
                    Ticket.queue_due.remove(),
                    Ticket.open_queue.remove(),
                    Ticket.assignee_queue.remove(),
                    Ticket.account_queue.remove(),
                ],
                condition=Ticket.state.is_in(*QUEUE_STATES) & Ticket.merged_into.does_not_exist(),
            )
            tx.update(
                target,
                actions=[Ticket.message_count.add(len(writes))],
                condition=Ticket.state.is_in(*QUEUE_STATES),
            )
            for item in writes:
                tx.save(item, condition=TicketMessage.pk.does_not_exist())
            for job in (FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB, CLOSE_JOB):
                tx.delete(ScheduledAction(account_pk(merged.account_id), action_sk(job, merged.number)))
    except ConditionFailed as exc:
        raise MergeConflict() from exc
    return len(copies)
