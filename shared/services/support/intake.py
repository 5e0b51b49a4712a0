"""Intake: what an inbound mail becomes, and opening a ticket from the web form, the app or the phone.

One path for every channel. Automatic mail and strangers are dropped without a trace, replies
from a ticket's contacts are threaded, and the rest opens tickets through `open_ticket`. The
decision reads and writes through an `IntakeStore` (storage by default; an in-memory fake in
the unit tests), so it can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from shared.observability import logger, metrics
from shared.rules.tickets import RequestDetails, ticket_number_from_mail_id
from shared.storage.item_size import ItemTooLarge
from shared.storage.tickets import AlreadyTakenIn, IncomingAttachment, NewRequest, Requester, seen_key_for

if TYPE_CHECKING:
    from shared.mail.inbound.values import InboundMail
    from shared.policy import Policy
    from shared.rules.sender_trust import SenderTrust
    from shared.storage.models import Account, Ticket, User


class IntakeStore(Protocol):
    """What the intake decision reads and writes; storage's functions, or a fake in unit tests."""

    def already_seen(self, seen_key: str) -> bool: ...
    def find_ticket(self, number: str) -> Ticket | None: ...
    def get_account(self, account_id: str) -> Account | None: ...
    def is_live(self, account: Account | None) -> bool: ...
    def contact_of(self, account: Account, address: str) -> User | None: ...
    def find_requester(self, address: str) -> Requester | None: ...
    def suppress(self, address: str, reason: str, now: datetime, *, source: str) -> None: ...
    def open_ticket(self, requester: Requester, request: NewRequest, now: datetime, policy: Policy) -> Ticket: ...
    def add_customer_message(
        self,
        ticket: Ticket,
        author: User,
        text: str,
        channel: str,
        now: datetime,
        *,
        attachments: tuple[IncomingAttachment, ...] = (),
        raw_mail: bytes | None = None,
        seen_key: str | None = None,
    ) -> Any: ...
    def closed_ticket_notice(
        self, ticket: Ticket, account: Account, sender: str, now: datetime, policy: Policy
    ) -> bool: ...
    def keep_unverified_mail(
        self,
        account: Account,
        contact: User,
        *,
        subject: str,
        reason: str,
        quoted_ticket: str | None,
        raw: bytes,
        seen_key: str,
        now: datetime,
    ) -> bool: ...


class StoredIntake:
    """The intake store on DynamoDB: storage's functions, imported when first used (cold start)."""

    def already_seen(self, seen_key: str) -> bool:
        from shared.storage.tickets import already_seen

        return already_seen(seen_key)

    def find_ticket(self, number: str) -> Ticket | None:
        from shared.storage.tickets import find_ticket

        return find_ticket(number)

    def get_account(self, account_id: str) -> Account | None:
        from shared.storage.accounts import get_account

        return get_account(account_id)

    def is_live(self, account: Account | None) -> bool:
        from shared.storage.tickets import is_live

        return is_live(account)

    def contact_of(self, account: Account, address: str) -> User | None:
        from shared.storage.tickets import contact_of

        return contact_of(account, address)

    def find_requester(self, address: str) -> Requester | None:
        from shared.storage.tickets import find_requester

        return find_requester(address)

    def suppress(self, address: str, reason: str, now: datetime, *, source: str) -> None:
        from shared.storage.suppressions import suppress

        suppress(address, reason, now, source=source)

    def open_ticket(self, requester: Requester, request: NewRequest, now: datetime, policy: Policy) -> Ticket:
        from shared.services.support.tickets import open_ticket

        return open_ticket(requester, request, now, policy)

    def add_customer_message(
        self, ticket: Ticket, author: User, text: str, channel: str, now: datetime, **kw: Any
    ) -> Any:
        from shared.services.support.tickets import add_customer_message

        return add_customer_message(ticket, author, text, channel, now, **kw)

    def closed_ticket_notice(
        self, ticket: Ticket, account: Account, sender: str, now: datetime, policy: Policy
    ) -> bool:
        from zoneinfo import ZoneInfo

        from shared.rules.clock import local_day
        from shared.rules.identity import email_key, normalize_email
        from shared.rules.support.ticket_mails import closed_notice_mail
        from shared.services.support.mails import ordered_mail
        from shared.storage.tickets import save_closed_ticket_notice

        # Once a day per ticket and sender (the mail's id): the closed ticket stays closed.
        day = local_day(now, ZoneInfo(policy.company_time_zone))
        order = closed_notice_mail(ticket.number, normalize_email(sender), email_key(sender), day)
        return save_closed_ticket_notice(ordered_mail(ticket, account, order, now, policy), now)

    def keep_unverified_mail(self, account: Account, contact: User, **kw: Any) -> bool:
        from shared.storage.mail_trust import keep_unverified_mail

        return keep_unverified_mail(account, contact, **kw)


@dataclass(frozen=True)
class MailKeys:
    """What the decision needs besides the store: our signed Message-IDs' check, and the policy."""

    policy: Policy
    mail_id_of: Callable[[str], str | None]  # "<message-id>" → our mail id, if we signed it
    was_sent_to: Callable[[str, str], bool]  # (message id, address) → we sent that mail to that address


def _mail_keys() -> MailKeys:
    from shared.policy import get_policy
    from shared.rules.signing import mail_id_from_message_id, message_was_sent_to
    from shared.secrets import link_keyring

    keyring = link_keyring()
    return MailKeys(
        policy=get_policy(),
        mail_id_of=lambda message_id: mail_id_from_message_id(message_id, keyring),
        was_sent_to=lambda mid, address: message_was_sent_to(f"<{mid}>", address, keyring),
    )


def take_in_mail(
    raw: bytes,
    now: datetime,
    *,
    trust: SenderTrust,
    store: IntakeStore | None = None,
    mail_keys: MailKeys | None = None,
) -> tuple[str, str | None]:
    """Decide what a raw mail becomes: (outcome, ticket number).

    `trust` says whether the From address is authentic; when it is not, the mail acts as
    nobody: no ticket, no message, no answer (kept for staff review if it names a contact).
    """
    from shared.mail.inbound.parse import parse_inbound_mail
    from shared.rules.bounces import addresses_stopped_by_bounce, suppression_reason
    from shared.services.support.tickets import takes_customer_message

    store = store or StoredIntake()
    keys = mail_keys or _mail_keys()
    policy = keys.policy
    mail = parse_inbound_mail(raw, max_attachment_bytes=policy.support.max_attachment_bytes)
    if mail.automatic is not None:
        # A bounce stops mail to an address only if it returns exactly one mail of ours, signed for
        # that very address, and what it says MEANS the address does not exist (shared/rules/bounces.py).
        for failure in addresses_stopped_by_bounce(mail, keys.was_sent_to):
            store.suppress(failure.address, suppression_reason(failure), now, source="inbound-dsn")
        metrics.add_metric(name="InboundMailAutomatic", unit="Count", value=1)
        return "dropped", None
    if not mail.sender_address:
        return "dropped", None
    if mail.part_count > policy.support.max_mail_parts:
        # Refused before anything is stored (no blob, no SeenMail); 202 so a relay does not retry it for ever.
        metrics.add_metric(name="InboundMailRefused", unit="Count", value=1)
        return "refused_too_many_parts", None
    seen_key = seen_key_for(mail.message_id, raw)
    if store.already_seen(seen_key):
        return "duplicate", None
    attachments = tuple(IncomingAttachment(a.filename, a.content_type, a.content) for a in mail.attachments)

    number = mail.ticket_number
    if number is None:
        for reference in (*mail.in_reply_to, *mail.references):
            mail_id = keys.mail_id_of(f"<{reference}>")
            if mail_id and (number := ticket_number_from_mail_id(mail_id)):
                break
    if not trust.trusted:
        return _hold_unverified(store, mail, raw, number, seen_key, trust, now)
    if number is not None:
        ticket = store.find_ticket(number)
        account = store.get_account(ticket.account_id) if ticket else None
        live = ticket is not None and account is not None and store.is_live(account)
        author = store.contact_of(account, mail.sender_address) if live and account is not None else None
        if ticket is not None and account is not None and author is not None:
            if not takes_customer_message(ticket, now, policy):  # a solved ticket within its days reopens
                store.closed_ticket_notice(ticket, account, mail.sender_address, now, policy)
                return "closed_notice", ticket.number
            try:
                store.add_customer_message(
                    ticket,
                    author,
                    mail.reply_text or mail.body_text,
                    "email",
                    now,
                    attachments=attachments,
                    raw_mail=raw,
                    seen_key=seen_key,
                )
            except AlreadyTakenIn:
                return "duplicate", ticket.number
            except ItemTooLarge:
                return "refused_too_large", ticket.number
            return "message_added", ticket.number
        # A stranger quoting a ticket number never gets into that ticket: treat it as a new request.

    requester = store.find_requester(mail.sender_address)
    if requester is None:
        metrics.add_metric(name="InboundMailFromStranger", unit="Count", value=1)
        return "dropped", None  # nothing stored: not the address, not the body
    request = NewRequest(
        subject=mail.subject,
        channel="email",
        details=RequestDetails(description=mail.reply_text or mail.body_text, attachments=len(attachments)),
        vague_subject=mail.vague_subject,
        attachments=attachments,
        oversized=tuple((o.filename, o.size) for o in mail.oversized_attachments),
        raw_mail=raw,
        seen_key=seen_key,
    )
    try:
        ticket = store.open_ticket(requester, request, now, policy)
    except AlreadyTakenIn:
        return "duplicate", None
    except ItemTooLarge:
        return "refused_too_large", None
    return "ticket_created", ticket.number


def _hold_unverified(
    store: IntakeStore,
    mail: InboundMail,
    raw: bytes,
    number: str | None,
    seen_key: str,
    trust: SenderTrust,
    now: datetime,
) -> tuple[str, str | None]:
    """A mail whose sender is not authentic: kept for staff review if its From is a contact, else nothing."""
    assert mail.sender_address is not None
    account, contact = None, None
    ticket = store.find_ticket(number) if number is not None else None
    if ticket is not None:
        account = store.get_account(ticket.account_id)
        live = account is not None and store.is_live(account)
        contact = store.contact_of(account, mail.sender_address) if live and account is not None else None
    if contact is None:
        requester = store.find_requester(mail.sender_address)
        account, contact = (requester.account, requester.user) if requester else (None, None)
    if account is None or contact is None:
        metrics.add_metric(name="InboundMailFromStranger", unit="Count", value=1)
        return "dropped", None  # a stranger's address: nothing stored, as for any stranger
    kept = store.keep_unverified_mail(
        account,
        contact,
        subject=mail.subject,
        reason=trust.reason,
        quoted_ticket=ticket.number if ticket is not None and ticket.account_id == account.account_id else None,
        raw=raw,
        seen_key=seen_key,
        now=now,
    )
    metrics.add_metric(name="InboundMailUnverifiedSender", unit="Count", value=1)
    logger.info("inbound mail from an unverified sender kept for review", extra={"reason": trust.reason})
    return ("unverified_sender" if kept else "duplicate"), None
