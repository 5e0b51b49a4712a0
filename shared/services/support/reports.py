"""Service reports: drafted when a ticket with logged time is solved, decided once through the mailed link."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from shared.rules.billing.months import BillingMonth, month_key
from shared.rules.identity import new_id
from shared.rules.support.links import decision_link_expiry
from shared.rules.support.opening import TicketMailOrder
from shared.rules.support.reports import (
    LoggedTime,
    ReportDraft,
    hours_are_billable,
    report_entries,
    report_id_for,
    total_hours,
)

if TYPE_CHECKING:
    from shared.policy import Policy
    from shared.storage.models import Account, ServiceReport, Ticket


def draft_report(ticket: Ticket, account: Account, now: datetime, policy: Policy) -> ReportDraft | None:
    """When a ticket with logged time is solved: the hours for the account's main contact to approve."""
    from shared.secrets import link_keyring
    from shared.settings import get_settings
    from shared.storage.support import report_token, time_entries

    logged = [LoggedTime(e.hours, e.description, e.logged_at) for e in time_entries(ticket)]
    if not logged:
        return None
    hours = total_hours(logged)
    report_id = report_id_for(ticket.number, now)
    link_id = new_id("lnk_")
    entries = report_entries(logged)
    expires_at = decision_link_expiry(now, policy.support.decision_link_days)
    token = report_token(report_id, link_id, expires_at, link_keyring())
    link = f"{get_settings().public_url}/service-reports/{report_id}?token={token}"
    mail = TicketMailOrder(
        "service_report",
        f"service-report-{report_id}",
        recipient=account.admin_email,
        extra={"hours": str(hours), "link": link, "entries": [dict(e) for e in entries]},
    )
    return ReportDraft(report_id, link_id, hours, entries, mail)


def decide_report(
    report: ServiceReport, approve: bool, comment: str | None, now: datetime, policy: Policy, link_id: str
) -> None:
    """Approved hours that the support contract makes billable go into the ledger billing reads.

    Billed on the invoice of the company month the approval falls in. A second use raises ConditionFailed.
    """
    from shared.storage.support import report_account, save_report_decision

    account = report_account(report)
    billable = approve and hours_are_billable(account.support_hours_billable, policy.support.hours_billable_by_default)
    month = month_key(BillingMonth.containing(now, policy.company_time_zone)) if billable else None
    save_report_decision(report, approve, comment, now, link_id, month)
