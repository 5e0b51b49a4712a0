"""The support process's writes on stored tickets: queue, assignment, replies, states, time, reports.

The decisions (times, mails, who may) are the services' (shared/services/support/). Every
change that the customer hears about commits together with its mail; the
watches (first response, status updates, closing) are scheduled items in the
sparse due index, moved or removed in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from shared.policy import Policy
from shared.rules.clock import utc_iso
from shared.rules.identity import new_id
from shared.rules.signing import Keyring, Purpose, link_token
from shared.rules.support.clock import ResumedClock
from shared.rules.support.process import StateChange
from shared.rules.support.reports import ReportDraft
from shared.rules.support.states import OPEN_STATES, QUEUE_STATES
from shared.storage.db import ConditionFailed, transaction
from shared.storage.desk_queues import open_index_actions
from shared.storage.keys import support as keys
from shared.storage.models import (
    Account,
    BillableHoursEntry,
    CocoonItem,
    ScheduledAction,
    ServiceReport,
    StaffMember,
    Ticket,
    TicketMessage,
    TimeEntry,
    account_pk,
)
from shared.storage.outbox import MailToStore, commit_with_mails, outbox_mail
from shared.storage.schedule import action_sk, scheduled_action
from shared.storage.support_clock import resume_actions
from shared.storage.tickets import CLOSE_JOB, FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB


def _schedule_key(ticket: Ticket, job: str) -> ScheduledAction:
    return ScheduledAction(account_pk(ticket.account_id), action_sk(job, ticket.number))


def _queue_actions(state: str, due: datetime, region: str, ticket: Ticket, assignee_id: str | None = None) -> list[Any]:
    # The desk's open, assignee and account indexes hold the open states only (a solved ticket waits for nobody).
    opened = open_index_actions(ticket.account_id, region, state, assignee_id or ticket.assignee_id)
    if state in QUEUE_STATES:
        return [Ticket.queue_state.set(state), Ticket.queue_due.set(utc_iso(due)), *opened]
    return [Ticket.queue_state.remove(), Ticket.queue_due.remove(), *opened]


def staff_member(staff_id: str) -> StaffMember | None:
    try:
        return StaffMember.get(f"STAFF#{staff_id}", "STAFF")
    except StaffMember.DoesNotExist:
        return None


def queue(states: tuple[str, ...], priority: str | None, overdue_only: bool, now: datetime) -> list[Ticket]:
    """The staff queue, by due time: one Query per state on the sparse queue index, never a Scan."""
    found: list[Ticket] = []
    for state in states:
        condition = Ticket.queue_due <= utc_iso(now) if overdue_only else None
        for item in Ticket.queue_index.query(state, condition):
            if isinstance(item, Ticket) and (priority is None or item.priority == priority):
                found.append(item)
    return sorted(found, key=lambda t: (t.queue_due or "", t.number))


def _message(
    ticket: Ticket, kind: str, author: str, text: str, now: datetime, message_id: str | None = None
) -> TicketMessage:
    message_id = message_id or new_id("msg_")
    return TicketMessage(
        ticket.pk,
        keys.message_sk(ticket.number, now, message_id),
        account_id=ticket.account_id,
        ticket_number=ticket.number,
        message_id=message_id,
        kind=kind,
        channel="staff",
        author=author,
        text=text,
        created_at=now,
    )


def ticket_account(ticket: Ticket) -> Account:
    return Account.get(account_pk(ticket.account_id), "ACCOUNT")




def assign(ticket: Ticket, agent: StaffMember, moves_to_assigned: bool) -> None:
    """ConditionFailed if the ticket was closed (a closed ticket is assigned to nobody)."""
    from pynamodb.exceptions import UpdateError

    actions: list[Any] = [Ticket.assignee_id.set(agent.staff_id), Ticket.assignee_name.set(agent.name)]
    if moves_to_assigned:
        queued = _queue_actions("assigned", ticket.first_response_due, ticket.region, ticket, agent.staff_id)
        actions += [*queued, Ticket.state.set("assigned")]
    elif ticket.state in OPEN_STATES:  # the assignee index follows the new assignee
        actions += open_index_actions(ticket.account_id, ticket.region, ticket.state, agent.staff_id)
    try:
        ticket.update(actions=actions, condition=Ticket.state.is_in(*QUEUE_STATES))
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise ConditionFailed({(ticket.pk, ticket.sk)}) from exc


def set_priority(ticket: Ticket, priority: str, due: datetime) -> None:
    """Write a new priority and its due time; ConditionFailed if the ticket was closed meanwhile."""
    with transaction() as tx:
        tx.update(
            ticket,
            actions=[
                Ticket.priority.set(priority),
                Ticket.first_response_due.set(due),
                *_queue_actions(ticket.state, due, ticket.region, ticket),
            ],
            condition=Ticket.state.is_in(*QUEUE_STATES),
        )
        if ticket.first_response_at is None:
            tx.save(scheduled_action(ticket.account_id, FIRST_RESPONSE_JOB, ticket.number, due))


def save_reply(
    ticket: Ticket,
    author: str,
    text: str,
    message_id: str,
    mail: MailToStore,
    status_update_due: datetime,
    now: datetime,
) -> TicketMessage:
    """Write a public answer with its (composed) mail; ConditionFailed if the ticket was closed meanwhile."""
    message = _message(ticket, "reply", author, text, now, message_id)
    actions: list[Any] = [Ticket.message_count.add(1), Ticket.last_public_update_at.set(now)]
    with transaction() as tx:
        tx.save(message)
        tx.save(outbox_mail(mail), condition=CocoonItem.pk.does_not_exist())
        if ticket.first_response_at is None:
            actions.append(Ticket.first_response_at.set(now))
            tx.delete(_schedule_key(ticket, FIRST_RESPONSE_JOB))
        tx.save(scheduled_action(ticket.account_id, STATUS_UPDATE_JOB, ticket.number, status_update_due))
        tx.update(ticket, actions=actions, condition=Ticket.state.is_in(*QUEUE_STATES))
    return message


def note(ticket: Ticket, agent: StaffMember, text: str, now: datetime) -> TicketMessage:
    """An internal note: kept on the ticket, never mailed, never shown to the customer."""
    message = _message(ticket, "note", agent.name, text, now)
    with transaction() as tx:
        tx.save(message)
        tx.update(ticket, actions=[Ticket.message_count.add(1)])
    return message


def apply_state_change(
    ticket: Ticket,
    change: StateChange,
    agent: StaffMember,
    now: datetime,
    policy: Policy,
    *,
    resumed: ResumedClock | None = None,
    status_update_due: datetime | None = None,
    report: ReportDraft | None = None,
    mails: Sequence[MailToStore] = (),
) -> None:
    """Commit a decided state change (shared/rules/support/process.py) with its watches and mails, at once.

    The times (`resumed`, `status_update_due`), the service report and the composed mails (work started,
    the report's) are the service's.
    """
    wanted = change.wanted
    actions: list[Any] = [Ticket.state.set(wanted)]
    deletes: list[ScheduledAction] = []
    saves: list[Any] = []
    if change.resumes_clock and resumed is not None:
        actions += resume_actions(ticket, resumed)  # may move first_response_due on
        if change.watches_first_response_again:
            saves.append(
                scheduled_action(ticket.account_id, FIRST_RESPONSE_JOB, ticket.number, ticket.first_response_due)
            )
    taker = agent.staff_id if change.starts_work and change.takes_assignment else None
    actions += _queue_actions(wanted, ticket.first_response_due, ticket.region, ticket, taker)
    if change.stops_first_response_watch:
        actions.append(Ticket.waiting_since.set(now))
        # The clock stops: the first-response watch waits until the customer answers.
        deletes.append(_schedule_key(ticket, FIRST_RESPONSE_JOB))
    if change.starts_work and change.takes_assignment:
        actions += [Ticket.assignee_id.set(agent.staff_id), Ticket.assignee_name.set(agent.name)]
    if change.solves:
        actions.append(Ticket.solved_at.set(now))
        saves.append(
            scheduled_action(
                ticket.account_id,
                CLOSE_JOB,
                ticket.number,
                now + timedelta(days=policy.support.closed_ticket_closes_after_days),
            )
        )
        deletes.append(_schedule_key(ticket, STATUS_UPDATE_JOB))
        if report is not None:
            saves.append(_report_item(ticket, report, now))
    if change.closes:
        actions.append(Ticket.closed_at.set(now))
        deletes += [_schedule_key(ticket, job) for job in (FIRST_RESPONSE_JOB, STATUS_UPDATE_JOB, CLOSE_JOB)]
    if change.reopens and status_update_due is not None:
        deletes.append(_schedule_key(ticket, CLOSE_JOB))
        saves.append(scheduled_action(ticket.account_id, STATUS_UPDATE_JOB, ticket.number, status_update_due))

    def write(tx: Any) -> None:
        tx.update(ticket, actions=actions, condition=Ticket.state == change.current)
        for item in saves:
            tx.save(item)
        for item in deletes:
            tx.delete(item)

    # "work started" is automatic: within the hourly mail limit
    commit_with_mails(write, [outbox_mail(mail) for mail in mails], now)


def log_time(ticket: Ticket, agent: StaffMember, hours: Decimal, description: str, now: datetime) -> TimeEntry:
    entry = TimeEntry(
        ticket.pk,
        keys.time_entry_sk(ticket.number, now, new_id()),
        account_id=ticket.account_id,
        ticket_number=ticket.number,
        staff_id=agent.staff_id,
        hours=str(hours),
        description=description,
        logged_at=now,
    )
    entry.save()
    return entry


def time_entries(ticket: Ticket) -> list[TimeEntry]:
    return [
        i
        for i in TimeEntry.query(ticket.pk, TimeEntry.sk.startswith(keys.time_entry_prefix(ticket.number)))
        if isinstance(i, TimeEntry)
    ]


def link_development(ticket: Ticket, kind: str, reference: str) -> None:
    ticket.update(actions=[Ticket.development_ticket.set(reference), Ticket.development_kind.set(kind)])


def mark_enhancement(ticket: Ticket) -> None:
    ticket.update(actions=[Ticket.enhancement.set(True)])


# --- service reports ------------------------------------------------------------------------------


def report_token(report_id: str, link_id: str, expires_at: datetime, keyring: Keyring) -> str:
    return link_token(keyring, Purpose.SERVICE_REPORT, (report_id,), link_id, expires_at)


def _report_item(ticket: Ticket, draft: ReportDraft, now: datetime) -> ServiceReport:
    """The stored report of a solved ticket's logged hours, for the account's main contact to approve."""
    return ServiceReport(
        account_pk(ticket.account_id),
        keys.report_key(draft.report_id),
        account_id=ticket.account_id,
        report_id=draft.report_id,
        ticket_number=ticket.number,
        hours=str(draft.hours),
        created_at=now,
        lookup_key=keys.report_key(draft.report_id),
        link_id=draft.link_id,
        entries=[dict(entry) for entry in draft.entries],
    )


def find_report(report_id: str) -> ServiceReport | None:
    for item in ServiceReport.lookup_index.query(keys.report_key(report_id)):
        if isinstance(item, ServiceReport):
            return ServiceReport.get(item.pk, item.sk, consistent_read=True)
    return None


def save_report_decision(
    report: ServiceReport, approve: bool, comment: str | None, now: datetime, link_id: str, billed_month: str | None
) -> None:
    """Record the decision once; approved billable hours go into the ledger of `billed_month` (None: not billed).

    The write is conditioned on the report still pending and on the link being the report's own;
    the decision records its time and link. A second use raises ConditionFailed.
    """
    with transaction() as tx:
        tx.update(
            report,
            actions=[
                ServiceReport.state.set("approved" if approve else "disputed"),
                ServiceReport.decided_at.set(now),
                ServiceReport.decided_link_id.set(link_id),
                *([ServiceReport.comment.set(comment)] if comment else []),
            ],
            condition=(ServiceReport.state == "pending") & (ServiceReport.link_id == link_id),
        )
        if billed_month is not None:
            tx.save(
                BillableHoursEntry(
                    report.pk,
                    keys.billable_hours_sk(billed_month, report.report_id),
                    account_id=report.account_id,
                    month=billed_month,
                    hours=report.hours,
                    description=f"Support, ticket {report.ticket_number}",
                    recorded_at=now,
                ),
                condition=BillableHoursEntry.pk.does_not_exist(),
            )


def report_account(report: ServiceReport) -> Account:
    return Account.get(report.pk, "ACCOUNT")


# --- the SLA watch's actions ---------------------------------------------------------------------


def ticket_of_watch(action: ScheduledAction) -> Ticket | None:
    """The ticket a watch is about (the watch's action is the ticket number), read consistently."""
    try:
        return Ticket.get(account_pk(action.account_id), keys.ticket_sk(action.action), consistent_read=True)
    except Ticket.DoesNotExist:
        return None


def escalate(action: ScheduledAction, ticket: Ticket, mail: MailToStore, now: datetime) -> None:
    """The first response is overdue: mark it and store the support lead's (composed) mail, once."""
    with transaction() as tx:
        tx.delete(action, condition=ScheduledAction.pk.exists())
        tx.update(ticket, actions=[Ticket.escalated_at.set(now)])
        tx.save(outbox_mail(mail), condition=CocoonItem.pk.does_not_exist())


def status_update(
    action: ScheduledAction, ticket: Ticket, following: datetime, mail: MailToStore, now: datetime
) -> None:
    """No public update for N working days: store the customer's (composed) mail, then watch again."""

    def write(tx: Any) -> None:
        # Moving the watch on, conditioned on its old time: a second run finds it moved and sends nothing.
        tx.update(
            action,
            actions=[ScheduledAction.due_at.set(utc_iso(following))],
            condition=ScheduledAction.due_at == action.due_at,
        )
        tx.update(ticket, actions=[Ticket.last_public_update_at.set(now)])

    commit_with_mails(write, [outbox_mail(mail)], now)  # automatic: within the recipient's hourly mail limit


def auto_close(action: ScheduledAction, ticket: Ticket, now: datetime) -> None:
    with transaction() as tx:
        tx.delete(action, condition=ScheduledAction.pk.exists())
        tx.update(
            ticket,
            actions=[
                Ticket.state.set("closed"),
                Ticket.closed_at.set(now),
                *_queue_actions("closed", now, ticket.region, ticket),
            ],
            condition=Ticket.state == "solved",
        )

