"""The GDPR export (Art. 20): everything the account holds that is the customer's data, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.services.accounts.errors import AccountNotFound

# Internal bookkeeping that is not the customer's data (and must not leak secrets' hashes).
NOT_EXPORTED = (
    "token_hashes",
    "verification_key",
    "due_job",
    "due_at",
    "lookup_key",
    "expires_at",
    "item_type",
    "seen_key",
    "context",  # a mail's values are exported as the text they render to, nothing more
)


@dataclass(frozen=True)
class AccountExport:
    account: Any  # the account item: the HTTP edge shows it in the account's one shape
    users: list[Any]
    items: list[dict[str, Any]]


def _staff_only(item: object, support_lead: str) -> bool:
    """What staff wrote for staff (internal notes, mails to our support lead) never leaves for the customer."""
    from shared.mail.render import STAFF_MAILS
    from shared.storage.models import OutboxMail, TicketMessage
    from shared.storage.views import CUSTOMER_MESSAGE_KINDS

    if isinstance(item, TicketMessage):
        return item.kind not in CUSTOMER_MESSAGE_KINDS
    if isinstance(item, OutboxMail):
        return item.template in STAFF_MAILS or item.recipient == support_lead
    return False


def export_account(account_id: str, account: Any | None = None) -> AccountExport:
    """The account's data; `account` is the one the middleware already read for a tenant."""
    from shared.mail.compose import stored_mail_text
    from shared.policy import get_policy
    from shared.storage.accounts import account_items, get_account
    from shared.storage.models import Account, OutboxMail, SearchEntry, StaffAction, UnverifiedMail, User

    account = account or get_account(account_id)
    if account is None:
        raise AccountNotFound(account_id)
    support_lead = get_policy().support.support_lead_email
    everything = account_items(account_id)
    items = []
    for item in everything:
        if isinstance(item, Account) or _staff_only(item, support_lead):
            continue
        if isinstance(item, UnverifiedMail):  # staff's review of a mail the contact may never have sent
            continue
        if isinstance(item, (SearchEntry, StaffAction)):  # the desk's index and notes: staff's, derived
            continue
        simple = item.to_simple_dict()
        data = {k: v for k, v in simple.items() if k not in NOT_EXPORTED}
        if isinstance(item, OutboxMail):  # one not yet sent: the text the mail job will send
            text = stored_mail_text(item)
            data.update(subject=text.subject, body_text=text.body_text)
        data["type"] = simple["item_type"]
        items.append(data)
    users = [item for item in everything if isinstance(item, User)]
    return AccountExport(account, users, items)
