"""The desk's account page (SPEC §13): everything a clerk or agent needs about one account, read at once.

One Query of the account's partition and one batch read of its addresses' stops; the page is
assembled here so the template only shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class AccountPage:
    account: Any
    edition: str | None
    editions: list[Any] = field(default_factory=list)
    users: list[Any] = field(default_factory=list)
    seats: list[tuple[str, int]] = field(default_factory=list)  # (YYYY-MM, users counted), newest first
    apps: list[Any] = field(default_factory=list)
    invoices: list[Any] = field(default_factory=list)
    mails: list[Any] = field(default_factory=list)
    suppressions: dict[str, Any] = field(default_factory=dict)
    tickets: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)


SEAT_MONTHS_SHOWN = 12  # a page, not a report: the last year of seats


def _seat_months(account: Any, stored: list[Any], now: datetime) -> list[tuple[str, int]]:
    from shared.rules.billing.history import SeatEvent
    from shared.rules.billing.months import BillingMonth
    from shared.rules.billing.seats import users_counted_in_month

    # Billing's own seat rule over billing's own event shape: the page counts what the invoice counts.
    seat_events = [SeatEvent(user_id=e.user_id, user_name=e.user_id, activated=e.activated, at=e.at) for e in stored]
    month = BillingMonth.containing(now)
    first = BillingMonth.containing(account.created_at)
    shown: list[tuple[str, int]] = []
    while len(shown) < SEAT_MONTHS_SHOWN and (month.year, month.month) >= (first.year, first.month):
        shown.append((f"{month.year:04d}-{month.month:02d}", len(users_counted_in_month(seat_events, month))))
        month = month.previous()
    return shown


def account_page(account_id: str, now: datetime) -> AccountPage | None:
    from shared.rules.accounts.editions import current_edition
    from shared.storage import account_page as store
    from shared.storage import models

    items = store.account_items(account_id)
    account = next((item for item in items if isinstance(item, models.Account)), None)
    if account is None:
        return None

    def of(kind: type) -> list[Any]:
        return [item for item in items if isinstance(item, kind)]

    mails = sorted(of(models.OutboxMail), key=lambda mail: mail.created_at, reverse=True)
    users = of(models.User)
    addresses = {user.email for user in users} | {mail.recipient for mail in mails}
    addresses |= {address for address in (account.admin_email, account.billing_email) if address}
    return AccountPage(
        account=account,
        edition=current_edition(account.edition, account.pending_edition, account.pending_edition_from, now),
        editions=sorted(of(models.EditionChange), key=lambda change: change.effective_at, reverse=True),
        users=sorted(users, key=lambda user: (not user.active, user.name.casefold())),
        seats=_seat_months(account, of(models.SeatEvent), now),
        apps=of(models.AppSubscriptionItem),
        invoices=sorted(of(models.InvoiceDocument), key=lambda invoice: invoice.number, reverse=True),
        mails=mails,
        suppressions=store.suppressions_of(addresses),
        tickets=sorted(of(models.Ticket), key=lambda ticket: ticket.received_at, reverse=True),
        actions=sorted(of(models.StaffAction), key=lambda action: action.at, reverse=True),
    )
