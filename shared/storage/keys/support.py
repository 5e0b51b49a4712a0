"""Every item key of the support desk, built in one place (tickets, their messages and time, the daily counter)."""

from __future__ import annotations

from datetime import date, datetime


def ticket_sk(number: str) -> str:
    """A ticket's sort key under its account; also its lookup key (a number is unique across accounts)."""
    return f"TICKET#{number}"


def ticket_lookup_key(number: str) -> str:
    return ticket_sk(number)


def message_prefix(number: str) -> str:
    return f"TICKET#{number}#MSG#"


def message_sk(number: str, at: datetime, message_id: str) -> str:
    """Messages sort by time under their ticket; the id keeps two in the same moment apart."""
    return f"{message_prefix(number)}{at.isoformat()}#{message_id}"


def time_entry_prefix(number: str) -> str:
    return f"TICKET#{number}#TIME#"


def time_entry_sk(number: str, at: datetime, entry_id: str) -> str:
    return f"{time_entry_prefix(number)}{at.isoformat()}#{entry_id}"


def ticket_counter_pk(day: date) -> str:
    """The per-day counter the ticket numbers are drawn from."""
    return f"COUNTER#TICKET#{day:%Y%m%d}"


def authorizer_sk(authorizer_id: str) -> str:
    """A person the account named to approve changes, under the account."""
    return f"AUTHORIZER#{authorizer_id}"


AUTHORIZER_PREFIX = "AUTHORIZER#"


def report_key(report_id: str) -> str:
    """A service report's sort key under its account, and its lookup key."""
    return f"REPORT#{report_id}"


def billable_hours_sk(month: str, reference: str) -> str:
    """Approved billable hours under the account, by the month ("YYYY-MM") whose invoice bills them."""
    return f"HOURS#{month}#{reference}"


def open_queue_key(region: str) -> str:
    """The desk's open index partition of a region: every open ticket (not solved) of it, by due time."""
    return f"OPEN#{region}"


def assignee_queue_key(staff_id: str) -> str:
    """The desk's assignee index partition of a member: their open tickets, by due time ("mine")."""
    return f"ASSIGNEE#{staff_id}"


def account_queue_key(account_id: str) -> str:
    """The desk's account index partition: an account's open tickets, by due time (the queues' account filter)."""
    return f"ACCOUNT#{account_id}"
