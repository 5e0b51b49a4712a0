"""Tickets in storage: finding requesters and tickets, writing an opened ticket and the customer's messages.

What a new ticket gets (number aside: region, priority, targets, mails) and whether a message
resumes the clock are decided by shared/services/support/tickets.py; these functions write it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared.policy import Policy
from shared.rules.accounts.states import is_known_organization_type
from shared.rules.accounts.states import is_live as is_live_state
from shared.rules.clock import local_day, utc_iso
from shared.rules.identity import new_id, user_id_for_email
from shared.rules.mail_headers import header_safe
from shared.rules.support.clock import ResumedClock
from shared.rules.support.opening import Opening
from shared.rules.support.states import OPEN_STATES
from shared.rules.tickets import RequestDetails, ticket_number
from shared.storage.accounts import get_account
from shared.storage.blobs import account_prefix, blob_store
from shared.storage.db import ConditionFailed, transaction
from shared.storage.desk_queues import open_index_actions
from shared.storage.item_size import refuse_if_too_large
from shared.storage.keys import support as keys
from shared.storage.keys.accounts import contact_lookup_key
from shared.storage.models import (
    Account,
    DailyCounter,
    ScheduledAction,
    SeenMail,
    Ticket,
    TicketMessage,
    User,
    account_pk,
)
from shared.storage.outbox import MailToStore, commit_with_mails, outbox_mail, save_mails
from shared.storage.schedule import action_sk, scheduled_action
from shared.storage.support_clock import resume_actions

FIRST_RESPONSE_JOB = "sla-first-response"
STATUS_UPDATE_JOB = "sla-status-update"
CLOSE_JOB = "ticket-close"
_SEEN_FOR = timedelta(days=30)  # redeliveries come within days; the key then expires by TTL


class AlreadyTakenIn(Exception):
    """This mail (Message-ID) was already taken in: a redelivery."""


@dataclass(frozen=True)
class Requester:
    account: Account
    user: User


@dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class NewRequest:
    subject: str
    channel: str  # "form" | "app" | "email" | "phone"
    details: RequestDetails
    impact: str | None = None
    vague_subject: bool = False
    attachments: tuple[IncomingAttachment, ...] = ()
    oversized: tuple[tuple[str, int], ...] = ()
    raw_mail: bytes | None = None
    seen_key: str | None = None  # hash of the Message-ID, for redeliveries


def request_from_form(form: Any, channel: str) -> NewRequest:
    """A request typed into a form (web, app or staff on the phone): one shape for all of them."""
    from shared.rules.mail_subjects import is_vague_subject

    details = RequestDetails(
        description=form.description,
        steps=form.steps,
        since=form.since,
        others_affected=form.others_affected,
        version=form.version,
        technical_contact=form.technical_contact,
    )
    subject = header_safe(form.subject)  # it reaches the subject of every mail about the ticket
    return NewRequest(
        subject=subject,
        channel=channel,
        details=details,
        impact=form.impact,
        vague_subject=is_vague_subject(subject),
    )


def seen_key_for(message_id: str | None, raw: bytes) -> str:
    """Redeliveries share the Message-ID; a mail without one is recognised by its bytes."""
    basis = message_id.encode("utf-8") if message_id else raw
    return hashlib.sha256(basis).hexdigest()


def already_seen(seen_key: str) -> bool:
    try:
        SeenMail.get(f"SEEN#{seen_key}", "SEEN")
    except SeenMail.DoesNotExist:
        return False
    return True


def is_live(account: Account | None) -> bool:
    # Support is for live business accounts: the accounts rules decide both (SPEC §6).
    return (
        account is not None
        and is_live_state(account.state)
        and is_known_organization_type(account.organization_type)
    )


def find_requester(address: str) -> Requester | None:
    """The contact behind an address in a live business account, or None (then nothing is stored)."""
    for user in User.lookup_index.query(contact_lookup_key(address)):
        if not isinstance(user, User) or not user.active:
            continue
        account = get_account(user.account_id)
        if is_live(account):
            assert account is not None
            return Requester(account, user)
    return None


def contact_of(account: Account, address: str) -> User | None:
    """The account's active user with this address (a stranger quoting a ticket number gets None)."""
    try:
        user = User.get(account_pk(account.account_id), f"USER#{user_id_for_email(address)}")
    except User.DoesNotExist:
        return None
    return user if user.active else None


def admin_user(account: Account) -> User:
    user = contact_of(account, account.admin_email)
    if user is None:
        raise LookupError("the account has no active admin user")
    return user


def find_ticket(number: str) -> Ticket | None:
    for item in Ticket.lookup_index.query(keys.ticket_lookup_key(number)):
        if isinstance(item, Ticket):
            # The index is eventually consistent: read the item itself for its current state.
            return Ticket.get(item.pk, item.sk, consistent_read=True)
    return None


def next_ticket_number(now: datetime, policy: Policy) -> str:
    day = local_day(now, ZoneInfo(policy.company_time_zone))
    counter = DailyCounter(keys.ticket_counter_pk(day), "COUNTER")
    counter.update(actions=[DailyCounter.value.add(1)])
    return ticket_number(day, int(counter.value))


@dataclass
class _BlobPlan:
    """Where a message's raw mail and attachments will go: keys first, bytes only once the items are valid."""

    base: str
    raw_key: str | None = None
    stored: list[dict[str, Any]] = field(default_factory=list)
    writes: list[tuple[str, bytes, str]] = field(default_factory=list)


def _blob_plan(account_id: str, number: str, message_id: str, request: NewRequest) -> _BlobPlan:
    """The raw mail and the attachments' keys (they go into the message); nothing is written yet."""
    plan = _BlobPlan(base=f"{account_prefix(account_id)}tickets/{number}/{message_id}/")
    if request.raw_mail is not None:
        plan.raw_key = plan.base + "raw.eml"
        plan.writes.append((plan.raw_key, request.raw_mail, "message/rfc822"))
    for index, attachment in enumerate(request.attachments):
        safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in attachment.filename)[:120] or "file"
        key = f"{plan.base}{index:02d}-{safe}"
        plan.writes.append((key, attachment.content, attachment.content_type))
        plan.stored.append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "size": len(attachment.content),
                "key": key,
            }
        )
    return plan


def _commit_with_blobs(plan: _BlobPlan, commit: Callable[[], None]) -> None:
    """Write the blobs, then commit the items; if the commit fails, the blobs it would have named go again.

    The prefix is this message's own (a fresh message id), so removing it removes only what we wrote.
    """
    store = blob_store()
    try:
        for key, data, content_type in plan.writes:
            store.put(key, data, content_type)
        commit()
    except BaseException:
        if plan.writes:
            store.delete_prefix(plan.base)
        raise


def opened_ticket(requester: Requester, request: NewRequest, opening: Opening, now: datetime) -> Ticket:
    """The item of a ticket opened as decided, not yet saved: its mails are composed from it first."""
    account, user = requester.account, requester.user
    number = opening.number
    due = opening.first_response_due
    return Ticket(
        account_pk(account.account_id),
        keys.ticket_sk(number),
        account_id=account.account_id,
        number=number,
        subject=header_safe(request.subject) or "(no subject)",
        state="new",
        priority=opening.priority,
        region=opening.region,
        channel=request.channel,
        received_at=now,
        first_response_due=due,
        requester_user_id=user.user_id,
        requester_email=user.email,
        requester_name=user.name,
        impact=request.impact,
        details={k: v for k, v in vars(request.details).items() if k != "attachments"},
        missing=list(opening.missing),
        vague_subject=request.vague_subject,
        lookup_key=keys.ticket_lookup_key(number),
        message_count=1,
        last_public_update_at=now,
        queue_state="new",
        queue_due=utc_iso(due),
        open_queue=keys.open_queue_key(opening.region),
        account_queue=keys.account_queue_key(account.account_id),  # nobody's yet: no assignee_queue
    )


def save_opened_ticket(
    ticket: Ticket,
    requester: Requester,
    request: NewRequest,
    opening: Opening,
    mails: Sequence[MailToStore],
    now: datetime,
) -> Ticket:
    """Write a ticket opened as decided (shared/services/support/tickets.py): its first message, mails, watches."""
    account, user = requester.account, requester.user
    number = opening.number
    message_id = new_id("msg_")
    plan = _blob_plan(account.account_id, number, message_id, request)
    message = TicketMessage(
        account_pk(account.account_id),
        keys.message_sk(number, now, message_id),
        account_id=account.account_id,
        ticket_number=number,
        message_id=message_id,
        kind="request",
        channel=request.channel,
        author=user.name or user.email,
        text=request.details.description,
        created_at=now,
        raw_key=plan.raw_key,
        attachments=plan.stored,
        seen_key=request.seen_key,
    )
    # Refused before any blob is written: DynamoDB would refuse these items after the fact.
    refuse_if_too_large(ticket, _largest_detail(request))
    refuse_if_too_large(message, "description")
    items: list[Any] = [outbox_mail(mail) for mail in mails]

    def write(tx: Any) -> None:
        if request.seen_key:
            tx.save(
                SeenMail(
                    f"SEEN#{request.seen_key}",
                    "SEEN",
                    account_id=account.account_id,
                    ticket_number=number,
                    expires_at=now + _SEEN_FOR,
                ),
                condition=SeenMail.pk.does_not_exist(),
            )
        tx.save(ticket, condition=Ticket.pk.does_not_exist())
        tx.save(message)
        for follow_up in ticket_schedule(ticket, opening.status_update_due):
            tx.save(follow_up)

    try:
        _commit_with_blobs(plan, lambda: commit_with_mails(write, items, now))
    except ConditionFailed as exc:
        if request.seen_key and (f"SEEN#{request.seen_key}", "SEEN") in exc.refused:
            raise AlreadyTakenIn() from exc
        raise
    return ticket


def _largest_detail(request: NewRequest) -> str:
    """The request's field that takes the most room: what a too-large ticket's refusal names."""
    sizes = {name: len(str(value).encode("utf-8")) for name, value in vars(request.details).items()}
    sizes["subject"] = len(request.subject.encode("utf-8"))
    return max(sizes, key=lambda name: sizes[name])


def save_customer_message(
    ticket: Ticket,
    author: User,
    text: str,
    channel: str,
    now: datetime,
    resumed: ResumedClock | None,
    *,
    attachments: tuple[IncomingAttachment, ...] = (),
    raw_mail: bytes | None = None,
    seen_key: str | None = None,
    notices: tuple[MailToStore, ...] = (),
    reopen_status_due: datetime | None = None,
) -> TicketMessage:
    """Write the customer's message; `resumed` (decided by the service) when the ticket was waiting for them.

    `notices`: the staff's composed mails (the assignee's) that commit with the message.
    `reopen_status_due` (decided by the service): the ticket is solved and the message reopens it.
    """
    message_id = new_id("msg_")
    request = NewRequest(
        subject="", channel=channel, details=RequestDetails(), attachments=attachments, raw_mail=raw_mail
    )
    plan = _blob_plan(ticket.account_id, ticket.number, message_id, request)
    message = TicketMessage(
        ticket.pk,
        keys.message_sk(ticket.number, now, message_id),
        account_id=ticket.account_id,
        ticket_number=ticket.number,
        message_id=message_id,
        kind="request",
        channel=channel,
        author=author.name or author.email,
        text=text,
        created_at=now,
        raw_key=plan.raw_key,
        attachments=plan.stored,
        seen_key=seen_key,
    )
    refuse_if_too_large(message, "text")  # before any blob is written
    actions: list[Any] = [Ticket.message_count.add(1)]
    resumes = resumed is not None
    if resumed is not None:
        actions += resume_actions(ticket, resumed)
        actions += [
            Ticket.state.set("in_progress"),
            Ticket.queue_state.set("in_progress"),
            *open_index_actions(ticket.account_id, ticket.region, "in_progress", ticket.assignee_id),
            Ticket.queue_due.set(utc_iso(ticket.first_response_due)),
        ]
    reopens = reopen_status_due is not None
    if reopens:  # solved → in progress: it closes no more by itself, status updates run again
        actions += [Ticket.state.set("in_progress"), *_in_queue(ticket)]  # as staff's reopening does
    condition = Ticket.state == "solved" if reopens else Ticket.state.is_in(*OPEN_STATES)

    def commit() -> None:
        with transaction() as tx:
            if seen_key:
                tx.save(
                    SeenMail(
                        f"SEEN#{seen_key}",
                        "SEEN",
                        account_id=ticket.account_id,
                        ticket_number=ticket.number,
                        expires_at=now + _SEEN_FOR,
                    ),
                    condition=SeenMail.pk.does_not_exist(),
                )
            tx.save(message)
            tx.update(ticket, actions=actions, condition=condition)
            if reopen_status_due is not None:
                tx.delete(ScheduledAction(account_pk(ticket.account_id), action_sk(CLOSE_JOB, ticket.number)))
                tx.save(scheduled_action(ticket.account_id, STATUS_UPDATE_JOB, ticket.number, reopen_status_due))
            if notices:
                save_mails(tx, [outbox_mail(mail) for mail in notices], now)
            if resumes and ticket.first_response_at is None:
                tx.save(
                    scheduled_action(ticket.account_id, FIRST_RESPONSE_JOB, ticket.number, ticket.first_response_due)
                )

    try:
        _commit_with_blobs(plan, commit)
    except ConditionFailed as exc:
        if seen_key and (f"SEEN#{seen_key}", "SEEN") in exc.refused:
            raise AlreadyTakenIn() from exc
        raise
    return message


def _in_queue(ticket: Ticket) -> list[Any]:
    return [
        Ticket.queue_state.set("in_progress"),
        Ticket.queue_due.set(utc_iso(ticket.first_response_due)),
        *open_index_actions(ticket.account_id, ticket.region, "in_progress", ticket.assignee_id),  # open again
    ]


def save_closed_ticket_notice(mail: MailToStore, now: datetime) -> bool:
    """Store the notice to open a new request (its id is once a day per ticket and sender); False if told today."""
    try:
        commit_with_mails(lambda tx: None, [outbox_mail(mail)], now)
    except ConditionFailed:
        return False  # already told today
    return True


def ticket_schedule(ticket: Ticket, status_update_due: datetime) -> list[ScheduledAction]:
    """A new ticket's watches: the first-response target and the next status update."""
    return [
        scheduled_action(ticket.account_id, FIRST_RESPONSE_JOB, ticket.number, ticket.first_response_due),
        scheduled_action(ticket.account_id, STATUS_UPDATE_JOB, ticket.number, status_update_due),
    ]


def ticket_messages(ticket: Ticket) -> list[TicketMessage]:
    return [
        item
        for item in TicketMessage.query(ticket.pk, TicketMessage.sk.startswith(keys.message_prefix(ticket.number)))
        if isinstance(item, TicketMessage)
    ]
